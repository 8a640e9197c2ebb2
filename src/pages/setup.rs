use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::Setup;
use crate::components::common::form_error::FormError;
use crate::domain::identity::{MAX_CHANNEL_LIMIT, MIN_PASSWORD_CHARS};

/// First run: the first visitor creates the company and its first administrator.
#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<Setup>::new();
    view! {
        <Title text="Set up Aurora"/>
        <main class="auth-page">
            <section class="auth-card" aria-labelledby="setup-heading">
                <p class="brand">"Aurora"</p>
                <h1 id="setup-heading">"Set up your company"</h1>
                <p class="muted">"You will be its first administrator. You can add people and team inboxes later."</p>
                <ActionForm action=setup>
                    <div class="field">
                        <label for="setup-code">"Set-up code"</label>
                        <input
                            id="setup-code"
                            name="code"
                            required
                            autofocus
                            autocomplete="off"
                            maxlength="20"
                            aria-describedby="setup-code-hint"
                        />
                        <p class="hint" id="setup-code-hint">
                            "The server printed it in its log when it started."
                        </p>
                    </div>
                    <div class="field">
                        <label for="setup-company">"Company name"</label>
                        <input id="setup-company" name="company_name" required maxlength="80"/>
                    </div>
                    <div class="field">
                        <label for="setup-limit">"Channel limit"</label>
                        <input
                            id="setup-limit"
                            name="channel_limit"
                            type="number"
                            min="0"
                            max=MAX_CHANNEL_LIMIT
                            value="3"
                            required
                        />
                    </div>
                    <div class="field">
                        <label for="setup-name">"Your name"</label>
                        <input id="setup-name" name="display_name" autocomplete="name" required maxlength="80"/>
                    </div>
                    <div class="field">
                        <label for="setup-email">"Email"</label>
                        <input id="setup-email" name="email" type="email" autocomplete="username" required/>
                    </div>
                    <div class="field">
                        <label for="setup-password">"Password"</label>
                        <input
                            id="setup-password"
                            name="password"
                            type="password"
                            autocomplete="new-password"
                            minlength=MIN_PASSWORD_CHARS
                            required
                            aria-describedby="setup-password-hint"
                        />
                        <p class="hint" id="setup-password-hint">
                            {format!("At least {MIN_PASSWORD_CHARS} characters.")}
                        </p>
                    </div>
                    <FormError result=move || setup.value().get()/>
                    <button type="submit" class="primary wide" disabled=move || setup.pending().get()>
                        "Create company"
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}
