//! The web layer's one error type. It renders as JSON under `/api` and as a page in the user's
//! language elsewhere (see `render_error_pages`). Internal detail goes to the log only.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use shoumi_domain::FieldErrors;
use shoumi_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    Unauthorized,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("too many attempts")]
    TooManyRequests,
    /// A step the rules do not allow now; nothing changed.
    #[error("{zh} / {en}")]
    Refused { zh: String, en: String },
    #[error("internal error: {0}")]
    Internal(String),
}

/// Marks a response produced from an [`AppError`], so the page layer can render it.
#[derive(Debug, Clone, Copy)]
pub struct ErrorMarker(pub StatusCode);

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => AppError::NotFound,
            StorageError::Invalid(f) => AppError::Invalid(f),
            StorageError::Duplicate { field } => AppError::Invalid(FieldErrors {
                errors: vec![shoumi_domain::FieldError::new(
                    field,
                    "duplicate",
                    "已存在相同的记录",
                    "already in use by another record",
                )],
                warnings: vec![],
            }),
            StorageError::Refused { zh, en } => AppError::Refused { zh, en },
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Refused { .. } => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Unauthorized => "unauthorized",
            AppError::Invalid(_) => "invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::TooManyRequests => "too_many_requests",
            AppError::Refused { .. } => "refused",
            AppError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            AppError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                json!({"error": {"code": self.code(), "message": "internal error"}})
            }
            AppError::Invalid(f) => json!({"error": {
                "code": "invalid",
                "message": f.to_string(),
                "fields": f.errors,
                "warnings": f.warnings,
            }}),
            AppError::BadRequest(m) => json!({"error": {"code": self.code(), "message": m}}),
            _ => json!({"error": {"code": self.code(), "message": self.to_string()}}),
        };
        let mut resp = (status, Json(body)).into_response();
        resp.extensions_mut().insert(ErrorMarker(status));
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;
