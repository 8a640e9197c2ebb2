//! Demo data (`AURORA_DEMO=1`): three companies whose users show every access case.

use crate::error::AppError;
use crate::server::db::{companies, users, Db};
use crate::server::services::identity::{create_company, create_funnel, create_user, NewUser};
use crate::server::services::internal;

pub const DEMO_PASSWORD: &str = "demo-password";

struct DemoUser {
    email: &'static str,
    name: &'static str,
    global_admin: bool,
    channels_admin: bool,
    /// The person's own language (their pages are in it whatever the browser asks).
    language: Option<&'static str>,
}

struct DemoCompany {
    name: &'static str,
    active: bool,
    channel_limit: i64,
    users: &'static [DemoUser],
    funnels: &'static [(&'static str, &'static [&'static str])],
}

const fn admin(email: &'static str, name: &'static str) -> DemoUser {
    DemoUser {
        email,
        name,
        global_admin: true,
        channels_admin: true,
        language: None,
    }
}

/// A channels admin who reads Aurora in `language`.
const fn channels_admin(
    email: &'static str,
    name: &'static str,
    language: &'static str,
) -> DemoUser {
    DemoUser {
        email,
        name,
        global_admin: false,
        channels_admin: true,
        language: Some(language),
    }
}

const DEMO: &[DemoCompany] = &[
    DemoCompany {
        name: "Demo Company",
        active: true,
        channel_limit: 3,
        users: &[
            admin("ana@demo.test", "Ana Torres"),
            DemoUser {
                email: "carlos@demo.test",
                name: "Carlos Ruiz",
                global_admin: false,
                channels_admin: true,
                language: None,
            },
            DemoUser {
                email: "lucia@demo.test",
                name: "Lucía Gómez",
                global_admin: false,
                channels_admin: false,
                language: None,
            },
            channels_admin("sofia@demo.test", "Sofía Herrera", "es"),
            channels_admin("joao@demo.test", "João Silva", "pt-BR"),
        ],
        funnels: &[
            (
                "Sales",
                &["ana@demo.test", "carlos@demo.test", "lucia@demo.test"],
            ),
            ("Support", &["carlos@demo.test", "lucia@demo.test"]),
        ],
    },
    DemoCompany {
        name: "Other Company",
        active: true,
        channel_limit: 3,
        users: &[admin("omar@other.test", "Omar Haddad")],
        funnels: &[("General", &["omar@other.test"])],
    },
    DemoCompany {
        name: "Lapsed Company",
        active: false,
        channel_limit: 3,
        users: &[admin("ines@lapsed.test", "Inés Mora")],
        funnels: &[],
    },
];

/// Creates the demo data when the database has no company yet. Returns whether it did.
pub async fn seed_if_empty(db: &Db) -> Result<bool, AppError> {
    if companies::any_exists(db)
        .await
        .map_err(|e| internal("check companies", e))?
    {
        return Ok(false);
    }
    for company in DEMO {
        let company_id =
            create_company(db, company.name, company.active, company.channel_limit).await?;
        for user in company.users {
            let new_user = NewUser {
                company_id,
                email: user.email,
                display_name: user.name,
                password: DEMO_PASSWORD,
                global_admin: user.global_admin,
                channels_admin: user.channels_admin,
            };
            let user_id = create_user(db, new_user).await?;
            if user.language.is_some() {
                users::set_language(db, user_id, user.language)
                    .await
                    .map_err(|e| internal("set a demo language", e))?;
            }
        }
        for (funnel, members) in company.funnels {
            let members: Vec<String> = members.iter().map(|m| m.to_string()).collect();
            create_funnel(db, company_id, funnel, &members).await?;
        }
    }
    Ok(true)
}

/// The sign-in lines logged at start, so a newcomer can sign in at once.
pub fn sign_in_summary() -> Vec<String> {
    DEMO.iter()
        .flat_map(|c| {
            c.users.iter().map(move |u| match u.language {
                Some(language) => format!("{} ({}, {}, {language})", u.email, u.name, c.name),
                None => format!("{} ({}, {})", u.email, u.name, c.name),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
