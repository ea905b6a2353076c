//! The OpenAPI 3 description of `/api/v1`. A test checks that it lists exactly the API routes
//! the server registers.

use axum::Json;
use serde_json::{Value, json};

fn op(summary: &str, tag: &str, ok: &str, body: Option<&str>, params: &[&str]) -> Value {
    let mut o = json!({
        "summary": summary,
        "tags": [tag],
        "responses": {
            ok: {"description": "success", "content": {"application/json": {"schema": {"type": "object"}}}},
            "401": {"$ref": "#/components/responses/Error"},
            "403": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"},
            "422": {"$ref": "#/components/responses/Error"}
        }
    });
    if let Some(schema) = body {
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    }
    let ps: Vec<Value> = params
        .iter()
        .map(|p| json!({"name": p, "in": "query", "required": false, "schema": {"type": "string"}}))
        .collect();
    if !ps.is_empty() {
        o["parameters"] = Value::Array(ps);
    }
    o
}

fn with_id(o: Value) -> Value {
    with_path_param(o, "id")
}

fn with_path_param(mut o: Value, name: &str) -> Value {
    let p = json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
    match o.get_mut("parameters") {
        Some(Value::Array(a)) => a.push(p),
        _ => o["parameters"] = json!([p]),
    }
    o
}

pub fn spec() -> Value {
    let list = [
        "q", "division", "zone", "industry", "tag", "status", "sort", "page", "per_page",
    ];
    let string_fields = |names: &[&str]| -> Value {
        let mut m = serde_json::Map::new();
        for n in names {
            m.insert(n.to_string(), json!({"type": "string"}));
        }
        Value::Object(m)
    };
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "shoumi 守秘 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Trade-secret protection platform. Authenticate with POST /api/v1/session and send `Authorization: Bearer <token>`. Validation errors are 422 with the offending fields named."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/openapi.json": {"get": op("This document", "meta", "200", None, &[])},
            "/api/v1/session": {"post": {
                "summary": "Sign in: user name and password for a bearer token",
                "tags": ["session"], "security": [],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SessionRequest"}}}},
                "responses": {"201": {"description": "token issued"}, "401": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}}
            }},
            "/api/v1/me": {"get": op("The signed-in user, roles and scopes", "session", "200", None, &[])},
            "/api/v1/enterprises": {
                "get": op("Enterprises visible to the caller", "enterprises", "200", None, &list),
                "post": op("Register an enterprise", "enterprises", "201", Some("EnterpriseForm"), &[])
            },
            "/api/v1/enterprises/{id}": {
                "get": with_id(op("One enterprise", "enterprises", "200", None, &[])),
                "patch": with_id(op("Change fields of an enterprise", "enterprises", "200", Some("EnterpriseForm"), &[]))
            },
            "/api/v1/divisions": {"get": op("Divisions (county, streets, towns)", "organisations", "200", None, &[])},
            "/api/v1/zones": {"get": op("Zones and parks", "organisations", "200", None, &[])},
            "/api/v1/units": {
                "get": op("Units", "organisations", "200", None, &["q", "kind"]),
                "post": op("Create a unit", "organisations", "201", Some("UnitForm"), &[])
            },
            "/api/v1/units/{id}": {
                "get": with_id(op("One unit", "organisations", "200", None, &[])),
                "patch": with_id(op("Change fields of a unit", "organisations", "200", Some("UnitForm"), &[]))
            },
            "/api/v1/task-force": {"get": op("The task force and its members", "organisations", "200", None, &[])},
            "/api/v1/users": {"get": op("Accounts (administrators)", "administration", "200", None, &[])},
            "/api/v1/audit": {"get": op("The audit trail (administrators)", "administration", "200", None, &["actor", "action", "entity_type", "entity_id", "from", "to", "page", "per_page"])},
            "/api/v1/programme": {"get": op("The programme in force (docs/PROGRAMME_FORMAT.md) with its version and SHA-256/SM3 digests", "programme", "200", None, &[])},
            "/api/v1/programme/progress": {"get": op("Each target (unit type, deadline, count) against the units holding the title on a date", "programme", "200", None, &["on"])},
            "/api/v1/applications": {"get": op("Demonstration-unit applications the caller may read", "programme", "200", None, &["stage", "unit_type", "q", "page"])},
            "/api/v1/applications/{id}": {"get": with_id(op("One application with its history and evidence files (digests)", "programme", "200", None, &[]))},
            "/api/v1/ledger/entries": {"post": op("Register document digests in the evidence ledger (docs/LEDGER.md); never content", "ledger", "202", Some("LedgerRegistration"), &[])},
            "/api/v1/ledger/entries/{identity}": {"get": with_path_param(op("Where a registration stands, by its identity (hex)", "ledger", "200", None, &[]), "identity")},
            "/api/v1/ledger/proofs/{index}": {"get": with_path_param(op("The entry's offline proof (C2SP tlog-proof, text/plain)", "ledger", "200", None, &[]), "index")}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {"Error": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"},
                    "fields": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message_zh": {"type": "string"}, "message_en": {"type": "string"}}}}
                }}}},
                "SessionRequest": {"type": "object", "required": ["username", "password"], "properties": string_fields(&["username", "password"])},
                "EnterpriseForm": {"type": "object", "properties": string_fields(&["name", "credit_code", "legal_representative", "address", "division_code", "zone_key", "industry", "size", "tags", "contact_name", "contact_phone", "contact_email", "share_contacts", "status"])},
                "UnitForm": {"type": "object", "properties": string_fields(&["name", "short_name", "kind", "credit_code", "division_code", "zone_key", "address", "phone", "opening_hours"])},
                "LedgerRegistration": {"type": "object", "required": ["entries"], "properties": {
                    "submitter": {"type": "string", "description": "uscc:<credit code> or user:<username>, one the caller may act as"},
                    "wait": {"type": "boolean", "description": "wait up to 5 s for integration and the witness quorum"},
                    "entries": {"type": "array", "maxItems": 1000, "items": {"type": "object", "required": ["kind", "sha256", "sm3", "metadata_sha256"],
                        "properties": string_fields(&["kind", "sha256", "sm3", "metadata_sha256"])}}
                }}
            }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
