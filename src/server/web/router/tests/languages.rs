//! The first paint is already in the language the browser asks for, and `<html lang>` says
//! which, so the browser hydrates the same words.

use super::*;

async fn login_page(app: &Router, accept_language: Option<&str>) -> String {
    page(app, "/login", None, accept_language).await
}

async fn page(
    app: &Router,
    path: &str,
    cookie: Option<&str>,
    accept_language: Option<&str>,
) -> String {
    let mut request = Request::get(path).header(header::HOST, HOST);
    if let Some(asked) = accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, asked);
    }
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
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

fn lang_of(html: &str) -> &str {
    let start = html.find("<html lang=\"").map(|i| i + 12).unwrap_or(0);
    html[start..].split('"').next().unwrap_or_default()
}

#[tokio::test]
async fn a_persons_own_language_comes_first_then_the_browser_then_the_company() {
    with_db(|db| async move {
        let app = seeded_app(db.clone()).await;
        let choose =
            |cookie: Option<&str>, body: &str| post_form("/api/set_language", body, None, cookie);
        let anonymous = send(&app, choose(None, "language=es")).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let lucia = sign_in(&app, "lucia@demo.test").await;
        for bad in ["language=fr", "language=ES", "language=", "nothing=1"] {
            let refused = send(&app, choose(Some(&lucia), bad)).await;
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
        let chosen = send(&app, choose(Some(&lucia), "language=pt-BR")).await;
        assert_eq!(chosen.status(), StatusCode::OK);

        // Her pages are in Portuguese whatever her browser asks, also after a new sign-in.
        let inbox = page(&app, "/inbox", Some(&lucia), Some("en-US")).await;
        assert_eq!(lang_of(&inbox), "pt-BR");
        assert!(inbox.replace("<!>", "").contains(">Sair</button>"));
        let again = sign_in(&app, "lucia@demo.test").await;
        assert_eq!(
            lang_of(&page(&app, "/inbox", Some(&again), None).await),
            "pt-BR"
        );

        // Her choice is hers: a colleague follows their browser, then the company's default.
        let carlos = sign_in(&app, "carlos@demo.test").await;
        assert_eq!(
            lang_of(&page(&app, "/inbox", Some(&carlos), Some("es")).await),
            "es"
        );
        assert_eq!(
            lang_of(&page(&app, "/inbox", Some(&carlos), None).await),
            "en"
        );
        use crate::server::services::preferences::set_company_language;
        let demo = crate::server::services::identity::company_id_by_name(&db, "Demo Company")
            .await
            .unwrap();
        let refused = set_company_language(&db, demo, "fr").await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
        set_company_language(&db, demo, "es").await.unwrap();
        assert_eq!(
            lang_of(&page(&app, "/inbox", Some(&carlos), Some("de")).await),
            "es"
        );
        assert_eq!(
            lang_of(&page(&app, "/inbox", Some(&carlos), Some("en")).await),
            "en"
        );
        let omar = sign_in(&app, "omar@other.test").await;
        assert_eq!(
            lang_of(&page(&app, "/inbox", Some(&omar), None).await),
            "en"
        );
    })
    .await;
}

/// A request as the browser sends it, asking for `language`.
fn in_language(mut request: Request<Body>, language: &str) -> Request<Body> {
    request.headers_mut().insert(
        header::ACCEPT_LANGUAGE,
        header::HeaderValue::from_str(language).unwrap(),
    );
    request
}

#[tokio::test]
async fn the_servers_refusals_come_in_the_language_of_the_person_refused() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        let origin = format!("http://{HOST}");
        let wrong = "email=ana%40demo.test&password=not-the-password";
        for (language, words) in [
            (
                "es-CO,es;q=0.9",
                "Correo electrónico o contraseña incorrectos",
            ),
            ("pt-BR", "E-mail ou senha inválidos"),
            ("en-US", "Invalid email or password"),
            ("de", "Invalid email or password"),
        ] {
            let login = post_form("/api/login", wrong, Some(&origin), None);
            let refused = send(&app, in_language(login, language)).await;
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert!(body_text(refused).await.contains(words), "{language}");
        }

        // A member without the role, refused the Channels page: in her browser's language,
        // and in her own once she chose one, whatever the browser says.
        let lucia = sign_in(&app, "lucia@demo.test").await;
        let channels = || post_form("/api/channels_page", "", None, Some(&lucia));
        let refused = send(&app, in_language(channels(), "es")).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(body_text(refused)
            .await
            .contains("Necesitas el rol de administrador de canales"));
        let chosen = post_form("/api/set_language", "language=pt-BR", None, Some(&lucia));
        assert_eq!(send(&app, chosen).await.status(), StatusCode::OK);
        let refused = send(&app, in_language(channels(), "es")).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(body_text(refused)
            .await
            .contains("Você precisa da função de administrador de canais"));
    })
    .await;
}
