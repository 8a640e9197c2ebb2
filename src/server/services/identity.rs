//! Sign-ins, and creating companies, users and funnels.

use std::sync::{Mutex, OnceLock};

use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;

use super::internal;
use crate::domain::access::home_page;
use crate::domain::identity::{
    check_name, check_new_password, clean_name, normalize_email, parse_channel_limit,
    MIN_PASSWORD_CHARS,
};
use crate::domain::identity::{sign_in_age, SignInAge};
use crate::error::AppError;
use crate::i18n::refusals::Refusal;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{companies, funnels, is_unique_violation, sign_ins, users, Db};
use crate::server::services::password;
use crate::server::web::rate_limit::LoginLimiter;

pub use crate::domain::identity::IDLE_TIMEOUT_MS;
/// The longest email address there is (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// Longer passwords are refused before hashing (nobody types 1 KiB).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A fresh random 256-bit sign-in token, hex-encoded for the cookie.
pub fn new_sign_in_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The user behind a sign-in token, or `None` when it is unknown, idle for too long or
/// past its absolute lifetime (an expired sign-in is deleted on sight).
pub async fn resume_sign_in(
    db: &Db,
    token: &str,
    now: i64,
) -> Result<Option<SignedInUser>, sqlx::Error> {
    Ok(resume_and_renew(db, token, now)
        .await?
        .map(|(user, _)| user))
}

/// The same, with how long to renew the cookie for when this request renewed the sign-in.
pub async fn resume_and_renew(
    db: &Db,
    token: &str,
    now: i64,
) -> Result<Option<(SignedInUser, Option<i64>)>, sqlx::Error> {
    let hash = token_hash(token);
    let Some(signed_in) = sign_ins::find(db, &hash).await? else {
        return Ok(None);
    };
    match sign_in_age(now, signed_in.signed_in_at, signed_in.last_seen_at) {
        SignInAge::Expired => {
            sign_ins::delete(db, &hash).await?;
            Ok(None)
        }
        SignInAge::Fresh => Ok(Some((signed_in, None))),
        SignInAge::Renew { cookie_ms } => {
            sign_ins::touch(db, &hash, now).await?;
            Ok(Some((signed_in, Some(cookie_ms))))
        }
    }
}

pub struct SignIn<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The client's address, for the per-address limit.
    pub client: &'a str,
    /// The sign-in cookie the browser already had, if any: it is replaced, never reused.
    pub previous_token: Option<&'a str>,
}

async fn verify_off_thread(password: String, hash: String) -> Result<bool, AppError> {
    let _turn = password::checks()
        .acquire()
        .await
        .map_err(|e| internal("password checks", e))?;
    tokio::task::spawn_blocking(move || password::verify(&password, &hash))
        .await
        .map_err(|e| internal("password verification task", e))
}

/// A real Argon2 hash to verify against when the email is unknown, so that the
/// answer takes as long as for a known email and does not reveal which emails exist.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| password::hash("decoy password that matches nothing").unwrap_or_default())
}

/// Checks the credentials and opens a new sign-in; returns its token for the cookie.
pub async fn sign_in(
    db: &Db,
    limiter: &Mutex<LoginLimiter>,
    attempt: SignIn<'_>,
    now: i64,
) -> Result<String, AppError> {
    // Refused before any work: an oversized field never costs a hash or becomes a key.
    if attempt.email.len() > MAX_EMAIL_BYTES || attempt.password.len() > MAX_PASSWORD_BYTES {
        return Err(Refusal::InvalidCredentials.into());
    }
    let email =
        normalize_email(attempt.email).unwrap_or_else(|_| attempt.email.trim().to_lowercase());
    let reserved = limiter
        .lock()
        .map_err(|e| internal("login limiter", e))?
        .reserve(&email, attempt.client, now);
    if let Err(wait) = reserved {
        return Err(Refusal::TooManyAttempts {
            retry_after_ms: wait,
        }
        .into());
    }
    let credentials = users::credentials_by_email(db, &email)
        .await
        .map_err(|e| internal("load credentials", e))?;
    let (user_id, hash) = match credentials {
        Some(c) => (Some(c.id), c.password_hash),
        None => (None, decoy_hash().to_string()),
    };
    let valid = verify_off_thread(attempt.password.to_string(), hash).await?;
    let Some(user_id) = user_id.filter(|_| valid) else {
        // The reservation stays: it was a failure.
        return Err(Refusal::InvalidCredentials.into());
    };
    limiter
        .lock()
        .map_err(|e| internal("login limiter", e))?
        .release(&email, attempt.client, now);
    if let Some(previous) = attempt.previous_token {
        sign_ins::delete(db, &token_hash(previous))
            .await
            .map_err(|e| internal("drop the old sign-in", e))?;
    }
    let token = new_sign_in_token();
    sign_ins::insert(db, &token_hash(&token), user_id, now)
        .await
        .map_err(|e| internal("create a sign-in", e))?;
    Ok(token)
}

/// The login form: checks the credentials, opens a sign-in, and answers its token with the
/// page the user starts on (channels admins on the Channels page, everyone else the inbox).
pub async fn log_in(
    db: &Db,
    limiter: &Mutex<LoginLimiter>,
    attempt: SignIn<'_>,
    now: i64,
) -> Result<(String, &'static str), AppError> {
    let token = sign_in(db, limiter, attempt, now).await?;
    let user = resume_sign_in(db, &token, now)
        .await
        .map_err(|e| internal("load the new sign-in", e))?;
    let home = home_page(user.is_some_and(|user| user.channels_admin));
    Ok((token, home))
}

/// Where the first-run form gets its checks: the code printed in the server's log, and a
/// lock so two visitors at once cannot both create "the first" company.
pub struct SetupGuard<'a> {
    pub code: &'a str,
    pub lock: &'a tokio::sync::Mutex<()>,
}

/// The set-up code as typed: case, spaces and dashes do not matter.
fn same_setup_code(typed: &str, expected: &str) -> bool {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    !expected.is_empty() && clean(typed) == clean(expected)
}

/// The first-run form: the company and its first administrator, then their sign-in;
/// answers its token.
pub async fn set_up_and_sign_in(
    db: &Db,
    limiter: &Mutex<LoginLimiter>,
    guard: SetupGuard<'_>,
    input: FirstCompany<'_>,
    code: &str,
    client: &str,
    now: i64,
) -> Result<String, AppError> {
    if !same_setup_code(code, guard.code) {
        return Err(Refusal::WrongSetupCode.into());
    }
    let _only_one_at_a_time = guard.lock.lock().await;
    let email = set_up_first_company(db, input).await?;
    let attempt = SignIn {
        email: &email,
        password: input.password,
        client,
        previous_token: None,
    };
    sign_in(db, limiter, attempt, now).await
}

/// Ends a sign-in; the live streams it opened on this server hear of it on `sign_outs`
/// (the token's hash) and end at once.
pub async fn sign_out(
    db: &Db,
    sign_outs: &broadcast::Sender<String>,
    token: &str,
) -> Result<(), AppError> {
    let hash = token_hash(token);
    sign_ins::delete(db, &hash)
        .await
        .map_err(|e| internal("delete a sign-in", e))?;
    let _ = sign_outs.send(hash);
    Ok(())
}

/// The user behind a sign-in token as of `now`, without counting the question as activity:
/// a live stream asks it, and must not keep an idle sign-in alive.
pub async fn still_signed_in(
    db: &Db,
    token: &str,
    now: i64,
) -> Result<Option<SignedInUser>, sqlx::Error> {
    let user = sign_ins::find(db, &token_hash(token)).await?;
    Ok(user.filter(|u| sign_in_age(now, u.signed_in_at, u.last_seen_at) != SignInAge::Expired))
}

pub async fn create_company(
    db: &Db,
    name: &str,
    active: bool,
    channel_limit: i64,
) -> Result<i64, AppError> {
    let name = clean_name(name, "Company name").map_err(AppError::Invalid)?;
    if !(0..=crate::domain::identity::MAX_CHANNEL_LIMIT).contains(&channel_limit) {
        return Err(AppError::Invalid(parse_channel_limit("-1").unwrap_err()));
    }
    companies::insert(db, &name, active, channel_limit)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(format!("A company named \"{name}\" already exists"))
            } else {
                internal("create company", e)
            }
        })
}

pub struct NewUser<'a> {
    pub company_id: i64,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub global_admin: bool,
    pub channels_admin: bool,
}

pub async fn create_user(db: &Db, user: NewUser<'_>) -> Result<i64, AppError> {
    let email = normalize_email(user.email).map_err(AppError::Invalid)?;
    let display_name = clean_name(user.display_name, "Name").map_err(AppError::Invalid)?;
    check_new_password(user.password).map_err(AppError::Invalid)?;
    let password = user.password.to_string();
    let password_hash = tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| internal("password hashing task", e))?
        .map_err(|e| internal("hash password", e))?;
    let new = users::NewUser {
        company_id: user.company_id,
        email: &email,
        display_name: &display_name,
        password_hash: &password_hash,
        global_admin: user.global_admin,
        channels_admin: user.channels_admin,
    };
    users::insert(db, &new).await.map_err(|e| {
        if is_unique_violation(&e) {
            AppError::Conflict(format!("A user with email {email} already exists"))
        } else {
            internal("create user", e)
        }
    })
}

pub async fn company_id_by_name(db: &Db, name: &str) -> Result<i64, AppError> {
    companies::find_by_name(db, name.trim())
        .await
        .map_err(|e| internal("find company", e))?
        .map(|c| c.id)
        .ok_or_else(|| AppError::Invalid(format!("No company named \"{}\"", name.trim())))
}

pub async fn create_funnel(
    db: &Db,
    company_id: i64,
    name: &str,
    member_emails: &[String],
) -> Result<i64, AppError> {
    let name = clean_name(name, "Funnel name").map_err(AppError::Invalid)?;
    let people = users::list_by_company(db, company_id)
        .await
        .map_err(|e| internal("list users", e))?;
    let mut member_ids = Vec::with_capacity(member_emails.len());
    for raw in member_emails {
        let email = normalize_email(raw).map_err(AppError::Invalid)?;
        let user = people
            .iter()
            .find(|u| u.email == email)
            .ok_or_else(|| AppError::Invalid(format!("No user {email} in this company")))?;
        if !member_ids.contains(&user.id) {
            member_ids.push(user.id);
        }
    }
    funnels::insert(db, company_id, &name, &member_ids)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(format!("A funnel named \"{name}\" already exists"))
            } else {
                internal("create funnel", e)
            }
        })
}

#[derive(Clone, Copy)]
pub struct FirstCompany<'a> {
    pub company_name: &'a str,
    pub channel_limit: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
}

/// First run: creates the company and its first user (global and channels admin).
/// Refused once any company exists. Returns the new user's email for signing in.
pub async fn set_up_first_company(db: &Db, input: FirstCompany<'_>) -> Result<String, AppError> {
    let channel_limit =
        parse_channel_limit(input.channel_limit).map_err(|_| Refusal::ChannelLimitRange)?;
    // Validate everything before writing anything, so a typo leaves no half-made company.
    check_name(input.company_name).map_err(Refusal::CompanyName)?;
    check_name(input.display_name).map_err(Refusal::PersonName)?;
    let email = normalize_email(input.email).map_err(|_| Refusal::BadEmail)?;
    check_new_password(input.password).map_err(|_| {
        match input.password.chars().count() < MIN_PASSWORD_CHARS {
            true => Refusal::PasswordTooShort,
            false => Refusal::PasswordTooLong,
        }
    })?;
    if companies::any_exists(db)
        .await
        .map_err(|e| internal("check companies", e))?
    {
        return Err(AppError::NotFound);
    }
    let company_id = create_company(db, input.company_name, true, channel_limit).await?;
    let new_user = NewUser {
        company_id,
        email: &email,
        display_name: input.display_name,
        password: input.password,
        global_admin: true,
        channels_admin: true,
    };
    create_user(db, new_user).await?;
    Ok(email)
}

#[cfg(test)]
mod tests;
