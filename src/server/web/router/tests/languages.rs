//! The first paint is already in the language the browser asks for, and `<html lang>` says
//! which, so the browser hydrates the same words.

use super::*;

async fn login_page(app: &Router, accept_language: Option<&str>) -> String {
    let mut request = Request::get("/login").header(header::HOST, HOST);
    if let Some(asked) = accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, asked);
    }
    let response = send(app, request.body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    body_text(response).await
}

#[tokio::test]
async fn the_sign_in_page_speaks_the_browsers_language() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        let cases = [
            (Some("pt-BR,pt;q=0.9,en;q=0.8"), "pt-BR", "Entrar", "Senha"),
            (Some("es-MX,es;q=0.9"), "es", "Iniciar sesión", "Contraseña"),
            (
                Some("fr-FR, es;q=0.5, en;q=0.7"),
                "en",
                "Sign in",
                "Password",
            ),
            (Some("de"), "en", "Sign in", "Password"),
            (None, "en", "Sign in", "Password"),
        ];
        for (asked, lang, heading, password) in cases {
            // Without the hydration markers between dynamic parts.
            let html = login_page(&app, asked).await.replace("<!>", "");
            assert!(
                html.contains(&format!(r#"<html lang="{lang}""#)),
                "{asked:?}: {html}"
            );
            assert!(html.contains(&format!(">{heading}</h1>")), "{asked:?}");
            assert!(html.contains(&format!(">{password}</label>")), "{asked:?}");
            assert!(
                html.contains(&format!("<title>{heading} · Aurora</title>")),
                "{asked:?}"
            );
        }
    })
    .await;
}
