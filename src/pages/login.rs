use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::Login;
use crate::components::common::form_error::FormError;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    view! {
        <Title text="Sign in"/>
        <main class="auth-page">
            <section class="auth-card" aria-labelledby="login-heading">
                <p class="brand">"Aurora"</p>
                <h1 id="login-heading">"Sign in"</h1>
                <ActionForm action=login>
                    <div class="field">
                        <label for="login-email">"Email"</label>
                        <input id="login-email" type="email" name="email" autocomplete="username" required autofocus/>
                    </div>
                    <div class="field">
                        <label for="login-password">"Password"</label>
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
                        "Sign in"
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}
