use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{lazy_route, LazyRoute};

use crate::api::auth::Login;
use crate::components::common::form_error::FormError;
use crate::components::common::lazy_parts::name_lazy_parts;
use crate::i18n::use_texts;
use crate::i18n::word;

/// `/login`, fetched by the browser when first shown.
pub struct LoginRoute;

#[lazy_route]
impl LazyRoute for LoginRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        name_lazy_parts();
        view! { <LoginPage/> }.into_any()
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let words = use_texts();
    view! {
        <Title text=move || words().sign_in.to_string()/>
        <main class="auth-page">
            <section class="auth-card" aria-labelledby="login-heading">
                <p class="brand">"Aurora"</p>
                <h1 id="login-heading">{word(|t| t.sign_in)}</h1>
                <ActionForm action=login>
                    <div class="field">
                        <label for="login-email">{word(|t| t.email)}</label>
                        <input id="login-email" type="email" name="email" autocomplete="username" required autofocus/>
                    </div>
                    <div class="field">
                        <label for="login-password">{word(|t| t.password)}</label>
                        <input
                            id="login-password"
                            type="password"
                            name="password"
                            autocomplete="current-password"
                            required
                        />
                    </div>
                    <FormError result=move || login.value().get()/>
                    <button type="submit" class="primary wide" disabled=move || login.pending().get()>
                        {word(|t| t.sign_in)}
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}
