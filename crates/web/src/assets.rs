//! Static assets embedded in the binary: nothing is fetched from elsewhere.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Assets;

pub async fn serve(Path(path): Path<String>) -> Result<Response, AppError> {
    let file = Assets::get(&path).ok_or(AppError::NotFound)?;
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let mut resp = file.data.into_owned().into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime.as_ref())
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&format!(
            "\"{}\"",
            hex::encode(&file.metadata.sha256_hash()[..8])
        ))
        .expect("hex etag"),
    );
    Ok(resp)
}
