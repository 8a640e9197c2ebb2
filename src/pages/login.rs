use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::Login;
use crate::components::common::form_error::FormError;
use crate::i18n::use_texts;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let words = use_texts();
    view! {
        <Title text=words.sign_in/>
        <main class="auth-page">
            <section class="auth-card" aria-labelledby="login-heading">
                <p class="brand">"Aurora"</p>
                <h1 id="login-heading">{words.sign_in}</h1>
                <ActionForm action=login>
                    <div class="field">
                        <label for="login-email">{words.email}</label>
                        <input id="login-email" type="email" name="email" autocomplete="username" required autofocus/>
                    </div>
                    <div class="field">
                        <label for="login-password">{words.password}</label>
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
                        {words.sign_in}
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}
