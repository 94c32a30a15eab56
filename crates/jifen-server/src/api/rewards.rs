//! Voucher templates and vouchers, the rewards catalog and its redemptions.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use jifen_core::rewards::catalog::RewardSpec;
use jifen_core::rewards::codes;
use jifen_core::rewards::voucher::VoucherTemplate;
use jifen_store::media::{ImageRef, RewardImage};
use jifen_store::{DocumentRow, Program, RewardRow};
use sha2::{Digest, Sha256};

use super::points::answer;
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth, parse_json};
use crate::parse;
use crate::service::catalog::{
    FulfilmentIn, MemberRewardOut, RewardRedemptionIn, RewardRedemptionOut, check_image,
    check_refs, image_ext, image_url, left, member_catalog, redemption_out, spec,
};
use crate::service::gifts::{GiftIn, GiftOut, offer};
use crate::service::ledger::find_member;
use crate::service::vouchers::{
    Stored, codes_csv, insert_new, issue, new_code, new_vouchers, terms,
};
use crate::service::{Idempotency, claim, finish, with_retries};

/// Most codes one request generates or imports.
pub const MAX_CODES: usize = 10_000;

fn id_ok(field: &str, id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("{field} is 1–64 characters of a-z, 0-9, - and _"),
        ))
    }
}

fn created(new: bool) -> StatusCode {
    if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

// --- voucher templates --------------------------------------------------------------------------

/// A voucher template.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TemplateOut {
    pub id: String,
    /// What a voucher of it gives ("¥20 off ≥ ¥199, ¥50 off ≥ ¥399").
    pub gives: String,
    #[schema(value_type = Object)]
    pub template: VoucherTemplate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn template_out(d: &DocumentRow) -> Result<TemplateOut, ApiError> {
    let t = terms(&d.body)?;
    Ok(TemplateOut {
        id: d.id.clone(),
        gives: t.gives(),
        template: t,
        created_at: d.created_at,
        updated_at: d.updated_at,
    })
}

/// Create or change a voucher template: a fixed amount or percent off (with a maximum), or a
/// ladder of spend thresholds; minimum spend; restrictions by SKU, category and site; validity
/// (fixed dates or N days from issue); stacking group; uses per code. Vouchers issued before a
/// change keep the terms they were issued with.
#[utoipa::path(put, path = "/v1/voucher-templates/{id}", tag = "vouchers",
    params(("id" = String, Path, description = "1–64 of a-z 0-9 - _")),
    request_body(content = Object, description = "The template"),
    responses((status = 201, body = TemplateOut), (status = 200, body = TemplateOut),
        (status = 422, body = ErrorBody)))]
pub async fn put_template(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    id_ok("id", &id)?;
    let t: VoucherTemplate = parse_json(&body)?;
    t.validate()
        .map_err(|(field, message)| ApiError::invalid(field, message))?;
    let text = serde_json::to_string(&t).map_err(|_| ApiError::Internal)?;
    let (new, doc) = with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let now = state.clock.now();
        let new = tx
            .save_voucher_template(&program.id, &id, &text, t.automatic, now)
            .await?;
        let doc = tx.voucher_template(&program.id, &id).await?;
        tx.commit().await?;
        Ok((new, doc.ok_or(ApiError::Internal)?))
    })
    .await?;
    Ok((created(new), Json(template_out(&doc)?)).into_response())
}

/// A list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ListOut<T> {
    pub data: Vec<T>,
}

/// List the program's voucher templates.
#[utoipa::path(get, path = "/v1/voucher-templates", tag = "vouchers",
    responses((status = 200, body = ListOut<TemplateOut>)))]
pub async fn list_templates(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<ListOut<TemplateOut>>, ApiError> {
    let docs = state.store.voucher_templates(&program.id).await?;
    Ok(Json(ListOut {
        data: docs.iter().map(template_out).collect::<Result<_, _>>()?,
    }))
}

/// Show a voucher template.
#[utoipa::path(get, path = "/v1/voucher-templates/{id}", tag = "vouchers",
    params(("id" = String, Path)),
    responses((status = 200, body = TemplateOut), (status = 404, body = ErrorBody)))]
pub async fn get_template(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<TemplateOut>, ApiError> {
    let doc = state
        .store
        .voucher_template(&program.id, &id)
        .await?
        .ok_or(ApiError::VoucherTemplateNotFound(id))?;
    Ok(Json(template_out(&doc)?))
}

/// Public codes to generate.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateIn {
    /// Chosen by the client; the idempotency key.
    pub id: String,
    /// How many codes (1–10,000).
    pub count: u32,
    /// Uses of each code across all members (its total cap; each member uses one once).
    /// Default: the template's `max_uses`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_uses: Option<u32>,
    /// What the codes of this batch start with (1–8 of `23456789ABCDEFGHJKLMNPQRSTUVWXYZ`).
    /// Default: the template's `code_prefix`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

/// Codes made.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CodesOut {
    pub template: String,
    pub codes: Vec<String>,
    /// Codes of an import that existed already (not changed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<String>,
}

/// Generate public codes of a template: unguessable, readable (no 0/O/1/I), with a check
/// character that catches typos. A public code is owned by no one; `max_uses` caps its uses
/// across all members, one per member.
#[utoipa::path(post, path = "/v1/voucher-templates/{id}/codes", tag = "vouchers",
    params(("id" = String, Path)), request_body = GenerateIn,
    responses((status = 201, body = CodesOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn generate_codes(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(template): Path<String>,
    ApiJson(body): ApiJson<GenerateIn>,
) -> Result<Response, ApiError> {
    parse::client_id("id", &body.id)?;
    if !(1..=MAX_CODES as u32).contains(&body.count) {
        return Err(ApiError::invalid(
            "count",
            "count must be between 1 and 10000",
        ));
    }
    if body.max_uses.is_some_and(|m| !(1..=1_000_000).contains(&m)) {
        return Err(ApiError::invalid(
            "max_uses",
            "max_uses must be between 1 and 1000000",
        ));
    }
    if let Some(p) = &body.prefix
        && !codes::valid_prefix(p)
    {
        return Err(ApiError::invalid(
            "prefix",
            "a prefix is 1 to 8 characters of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ",
        ));
    }
    let idem = Idempotency::new(&program.id, "voucher_codes", &body.id, &(&template, &body));
    let a = with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        if let Some(a) = claim(&mut tx, &idem).await? {
            tx.commit().await?;
            return Ok(a);
        }
        let now = state.clock.now();
        let t = template_terms(&mut tx, &program, &template).await?;
        let owners = vec![None; body.count as usize];
        let source = format!("generate:{}", body.id);
        let mut rows = new_vouchers(&template, &t, &owners, body.max_uses, &source, now);
        if let Some(p) = &body.prefix {
            for v in &mut rows {
                v.code = new_code(Some(p));
            }
        }
        let prefix = body.prefix.as_deref().or(t.code_prefix.as_deref());
        let rows = insert_new(&mut tx, &program.id, rows, prefix).await?;
        let out = CodesOut {
            template: template.clone(),
            codes: rows.into_iter().map(|v| v.code).collect(),
            duplicates: Vec::new(),
        };
        finish(tx, &idem, StatusCode::CREATED, json!(out)).await
    })
    .await?;
    Ok(answer(a))
}

async fn template_terms(
    tx: &mut Box<dyn jifen_store::WriteTx>,
    program: &Program,
    template: &str,
) -> Result<VoucherTemplate, crate::service::Failure> {
    let doc = tx
        .voucher_template(&program.id, template)
        .await?
        .ok_or_else(|| ApiError::VoucherTemplateNotFound(template.to_owned()))?;
    let t = terms(&doc.body)?;
    if t.automatic {
        return Err(ApiError::invalid(
            "template",
            format!("template {template} is automatic: it applies without codes"),
        )
        .into());
    }
    Ok(t)
}

/// One row of a CSV import: the code, and optionally its owner and its uses.
struct ImportRow {
    code: String,
    member: Option<String>,
    max_uses: Option<u32>,
}

/// The non-empty rows of a CSV body with their line numbers, without a header row (one whose
/// first cell is `code`).
fn csv_rows(text: &[u8]) -> Result<Vec<(usize, csv::StringRecord)>, ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 1;
        let record =
            record.map_err(|e| ApiError::invalid(format!("line {line}"), e.to_string()))?;
        for cell in &record {
            crate::strings::check(&format!("line {line}"), cell, crate::strings::Kind::Line)?;
        }
        let first = record.get(0).unwrap_or_default();
        if first.is_empty() || (i == 0 && first.eq_ignore_ascii_case("code")) {
            continue;
        }
        rows.push((line, record));
    }
    if rows.is_empty() || rows.len() > MAX_CODES {
        return Err(ApiError::invalid("", "an import holds 1–10000 codes"));
    }
    Ok(rows)
}

/// Reads `code[,member[,max_uses]]` rows of voucher codes.
fn read_csv(text: &[u8]) -> Result<Vec<ImportRow>, ApiError> {
    csv_rows(text)?
        .into_iter()
        .map(|(line, record)| {
            let first = record.get(0).unwrap_or_default();
            let code = codes::canonical(first);
            if !codes::valid_imported(&code) {
                return Err(ApiError::invalid(
                    format!("line {line}"),
                    format!("{first:?} is not a code: 4–32 letters and digits"),
                ));
            }
            let member = record.get(1).filter(|m| !m.is_empty()).map(str::to_owned);
            let max_uses = match record.get(2).filter(|m| !m.is_empty()) {
                Some(m) => Some(
                    m.parse::<u32>()
                        .ok()
                        .filter(|n| (1..=1_000_000).contains(n))
                        .ok_or_else(|| {
                            ApiError::invalid(format!("line {line}"), "max_uses is 1–1000000")
                        })?,
                ),
                None => None,
            };
            Ok(ImportRow {
                code,
                member,
                max_uses,
            })
        })
        .collect()
}

/// Import codes of a template from a CSV body (`code[,member[,max_uses]]`, one per line, an
/// optional header). A row with a member issues the code to that member; without one the code
/// is public. Codes that exist already are listed as duplicates and left as they are; a bad
/// row refuses the whole import.
#[utoipa::path(post, path = "/v1/voucher-templates/{id}/codes/import", tag = "vouchers",
    params(("id" = String, Path)),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = CodesOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn import_codes(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(template): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let mut rows = read_csv(&body)?;
    // A code twice in the file is imported once and reported as a duplicate.
    let mut seen = std::collections::BTreeSet::new();
    let mut repeated = Vec::new();
    rows.retain(|r| {
        let first = seen.insert(r.code.clone());
        if !first {
            repeated.push(r.code.clone());
        }
        first
    });
    let mut members = BTreeMap::new();
    for r in &rows {
        if let Some(m) = &r.member
            && !members.contains_key(m)
        {
            let member = find_member(&state, &program, m).await?;
            members.insert(m.clone(), member.id);
        }
    }
    let source = format!("import:{}", uuid::Uuid::now_v7());
    let out = with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let now = state.clock.now();
        let t = template_terms(&mut tx, &program, &template).await?;
        let mut vouchers = Vec::with_capacity(rows.len());
        for r in &rows {
            let owner = r.member.as_ref().map(|m| members[m]);
            let mut v = new_vouchers(&template, &t, &[owner], r.max_uses, &source, now)
                .pop()
                .ok_or(ApiError::Internal)?;
            v.code = r.code.clone();
            vouchers.push(v);
        }
        let mut duplicates = tx.insert_vouchers(&program.id, &vouchers).await?;
        tx.commit().await?;
        let taken = duplicates.clone();
        duplicates.extend(repeated.iter().cloned());
        Ok(CodesOut {
            template: template.clone(),
            codes: vouchers
                .into_iter()
                .map(|v| v.code)
                .filter(|c| !taken.contains(c))
                .collect(),
            duplicates,
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Export a template's codes as CSV, by code: `code,member,max_uses,uses,status,valid_until,
/// issued_at`. The first three columns are what an import reads, so an export imports as is
/// into another program.
#[utoipa::path(get, path = "/v1/voucher-templates/{id}/codes", tag = "vouchers",
    params(("id" = String, Path)),
    responses((status = 200, body = String, content_type = "text/csv"),
        (status = 404, body = ErrorBody)))]
pub async fn export_codes(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(template): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = codes_csv(&state, &program, &template).await?;
    let name = format!("attachment; filename=\"{template}-codes.csv\"");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, name),
        ],
        bytes,
    )
        .into_response())
}

// --- vouchers ------------------------------------------------------------------------------------

use crate::service::vouchers::{VoucherOut, voucher_out, vouchers_out};

/// A voucher to issue to a member.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueIn {
    /// Chosen by the client; the idempotency key.
    pub id: String,
    pub template: String,
}

/// Issue a member a voucher of a template, with a code of its own.
#[utoipa::path(post, path = "/v1/members/{external_id}/vouchers", tag = "vouchers",
    params(("external_id" = String, Path)), request_body = IssueIn,
    responses((status = 201, body = VoucherOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn issue_voucher(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiJson(body): ApiJson<IssueIn>,
) -> Result<Response, ApiError> {
    parse::client_id("id", &body.id)?;
    if !parse::could_be_id(&external_id) {
        return Err(ApiError::MemberNotFound(external_id));
    }
    let idem = Idempotency::new(
        &program.id,
        "voucher_issue",
        &body.id,
        &(&external_id, &body),
    );
    let a = with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        if let Some(a) = claim(&mut tx, &idem).await? {
            tx.commit().await?;
            return Ok(a);
        }
        let now = state.clock.now();
        let head = tx
            .lock_head(&program.id, &external_id)
            .await?
            .ok_or_else(|| ApiError::MemberNotFound(external_id.clone()))?;
        let source = format!("api:{}", body.id);
        let mut rows = issue(
            &mut tx,
            &program.id,
            &body.template,
            &[head.id],
            &source,
            now,
        )
        .await?;
        let mut v = rows.pop().ok_or(ApiError::Internal)?;
        v.owner = Some(head.external_id.clone());
        let out = json!(voucher_out(&v, &Stored::default(), now)?);
        finish(tx, &idem, StatusCode::CREATED, out).await
    })
    .await?;
    Ok(answer(a))
}

/// A member's vouchers (the last 200), newest first, with where each stands.
#[utoipa::path(get, path = "/v1/members/{external_id}/vouchers", tag = "vouchers",
    params(("external_id" = String, Path)),
    responses((status = 200, body = ListOut<VoucherOut>), (status = 404, body = ErrorBody)))]
pub async fn member_vouchers(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<ListOut<VoucherOut>>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    let rows = state
        .store
        .member_vouchers(&program.id, member.id, 200)
        .await?;
    Ok(Json(ListOut {
        data: vouchers_out(&state, &program, &rows).await?,
    }))
}

/// Show a voucher by its code (spaces and dashes are ignored, letters in any case).
#[utoipa::path(get, path = "/v1/vouchers/{code}", tag = "vouchers",
    params(("code" = String, Path)),
    responses((status = 200, body = VoucherOut), (status = 404, body = ErrorBody)))]
pub async fn get_voucher(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(code): Path<String>,
) -> Result<Json<VoucherOut>, ApiError> {
    let code = codes::canonical(&code);
    let rows = state.store.vouchers(&program.id, &[code.as_str()]).await?;
    if rows.is_empty() {
        return Err(ApiError::VoucherNotFound(code));
    }
    let mut out = vouchers_out(&state, &program, &rows).await?;
    out.pop().map(Json).ok_or(ApiError::Internal)
}

/// Offer a member's unused voucher to a friend: the answer carries a share token for the link
/// the member sends. The friend who claims it first owns it; unclaimed by the deadline, it
/// stays with the member.
#[utoipa::path(post, path = "/v1/members/{external_id}/vouchers/{code}/gift", tag = "vouchers",
    params(("external_id" = String, Path), ("code" = String, Path)), request_body = GiftIn,
    responses((status = 201, body = GiftOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn gift_voucher(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path((external_id, code)): Path<(String, String)>,
    ApiJson(body): ApiJson<GiftIn>,
) -> Result<Response, ApiError> {
    Ok(answer(
        offer(&state, &program, &external_id, &code, &body).await?,
    ))
}

// --- the catalog ---------------------------------------------------------------------------------

/// A catalog item.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RewardOut {
    pub id: String,
    #[schema(value_type = Object)]
    pub reward: RewardSpec,
    /// Units redeemed and not returned.
    pub taken: i64,
    /// Units left (absent: unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<i64>,
    /// Partner perk codes not given yet.
    pub codes_left: i64,
    /// The address of the uploaded image (`PUT /v1/rewards/{id}/image`), relative to the
    /// server: `/media/{program}/{sha256}.png`. It changes when the image does, and each one
    /// may be cached for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn reward_out(
    program: &Program,
    row: &RewardRow,
    image: Option<&ImageRef>,
) -> Result<RewardOut, ApiError> {
    let s = spec(row)?;
    Ok(RewardOut {
        id: row.doc.id.clone(),
        left: left(row, &s),
        reward: s,
        taken: row.taken,
        codes_left: row.codes_left,
        image_url: image.map(|i| image_url(&program.id, &i.sha256, &i.content_type)),
        created_at: row.doc.created_at,
        updated_at: row.doc.updated_at,
    })
}

/// Create or change a catalog item: a voucher (of a template), a physical gift (shipped), a
/// partner perk (a code from an imported pool) or points as cash (a cash voucher); its cost
/// (optionally per tier), stock, limits per member, eligibility (tiers, tags, a CEL condition),
/// availability window with earlier opening per tier, images and titles in several languages.
#[utoipa::path(put, path = "/v1/rewards/{id}", tag = "rewards",
    params(("id" = String, Path, description = "1–64 of a-z 0-9 - _")),
    request_body(content = Object, description = "The reward"),
    responses((status = 201, body = RewardOut), (status = 200, body = RewardOut),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_reward(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    id_ok("id", &id)?;
    let s: RewardSpec = parse_json(&body)?;
    s.validate()
        .map_err(|(field, message)| ApiError::invalid(field, message))?;
    let text = serde_json::to_string(&s).map_err(|_| ApiError::Internal)?;
    let (new, row) = with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        check_refs(&mut tx, &program, &s).await?;
        let now = state.clock.now();
        let new = match tx
            .save_reward(&program.id, &id, &text, s.stock, now)
            .await?
        {
            Some(new) => new,
            None => {
                let taken = tx
                    .lock_reward(&program.id, &id)
                    .await?
                    .map_or(0, |r| r.taken);
                return Err(ApiError::StockBelowTaken {
                    stock: s.stock.unwrap_or_default(),
                    taken,
                }
                .into());
            }
        };
        let row = tx.lock_reward(&program.id, &id).await?;
        tx.commit().await?;
        Ok((new, row.ok_or(ApiError::Internal)?))
    })
    .await?;
    let image = state.store.reward_image(&program.id, &id).await?;
    Ok((
        created(new),
        Json(reward_out(&program, &row, image.as_ref())?),
    )
        .into_response())
}

/// List the catalog, with stock.
#[utoipa::path(get, path = "/v1/rewards", tag = "rewards",
    responses((status = 200, body = ListOut<RewardOut>)))]
pub async fn list_rewards(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<ListOut<RewardOut>>, ApiError> {
    let rows = state.store.rewards(&program.id).await?;
    let images: BTreeMap<String, ImageRef> = state
        .store
        .reward_images(&program.id)
        .await?
        .into_iter()
        .map(|i| (i.reward_id.clone(), i))
        .collect();
    Ok(Json(ListOut {
        data: rows
            .iter()
            .map(|r| reward_out(&program, r, images.get(&r.doc.id)))
            .collect::<Result<_, _>>()?,
    }))
}

/// Show a catalog item with its stock.
#[utoipa::path(get, path = "/v1/rewards/{id}", tag = "rewards",
    params(("id" = String, Path)),
    responses((status = 200, body = RewardOut), (status = 404, body = ErrorBody)))]
pub async fn get_reward(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<RewardOut>, ApiError> {
    let row = state
        .store
        .reward(&program.id, &id)
        .await?
        .ok_or_else(|| ApiError::RewardNotFound(id.clone()))?;
    let image = state.store.reward_image(&program.id, &id).await?;
    Ok(Json(reward_out(&program, &row, image.as_ref())?))
}

/// Upload a catalog item's image: the image's bytes as the body, with its `Content-Type`. A
/// PNG, JPEG, WebP or GIF (told by its bytes, not by its name or type) of at most 512 KiB; it
/// replaces the item's image. The answer's `image_url` is where members' apps load it:
/// `/media/{program}/{sha256}.{ext}`, public and cached for good (a new image gets a new
/// address).
#[utoipa::path(put, path = "/v1/rewards/{id}/image", tag = "rewards",
    params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "image/*",
        description = "The image's bytes: PNG, JPEG, WebP or GIF, at most 512 KiB"),
    responses((status = 200, body = RewardOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_reward_image(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<RewardOut>, ApiError> {
    let row = state
        .store
        .reward(&program.id, &id)
        .await?
        .ok_or_else(|| ApiError::RewardNotFound(id.clone()))?;
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let content_type = check_image(&body, declared)?;
    let image = RewardImage {
        reward_id: id.clone(),
        content_type: content_type.to_owned(),
        sha256: hex::encode(Sha256::digest(&body)),
        bytes: body.to_vec(),
        uploaded_at: state.clock.now(),
    };
    state.store.save_reward_image(&program.id, &image).await?;
    let image = state.store.reward_image(&program.id, &id).await?;
    Ok(Json(reward_out(&program, &row, image.as_ref())?))
}

/// An image of the catalog, by the address a reward's `image_url` gives: public (members' apps
/// load it without a key), and immutable, since the address names the bytes' hash.
pub async fn get_media(
    State(state): State<AppState>,
    Path((program_id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    use axum::http::header;
    let Some((sha256, ext)) = file.split_once('.') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let well_formed = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !well_formed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (content_type, bytes) = match state.store.media(&program_id, sha256).await {
        Ok(Some(found)) if image_ext(&found.0) == ext => found,
        Ok(_) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let etag = format!("\"{sha256}\"");
    let cache = [
        (header::ETAG, etag.clone()),
        (
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable".to_owned(),
        ),
    ];
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if unchanged {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// Perk codes to add.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PerkCodesIn {
    pub codes: Vec<String>,
}

/// Codes added to a pool.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PerkCodesOut {
    pub added: u64,
    /// Codes not given yet.
    pub codes_left: i64,
}

/// Add codes to a partner perk's pool: JSON `{"codes": [...]}`, or a CSV body (`text/csv`,
/// the code in the first column). Codes already in the pool are skipped.
#[utoipa::path(post, path = "/v1/rewards/{id}/codes", tag = "rewards",
    params(("id" = String, Path)), request_body = PerkCodesIn,
    responses((status = 201, body = PerkCodesOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_perk_codes(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let csv = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    let raw: Vec<(String, String)> = if csv {
        csv_rows(&body)?
            .into_iter()
            .map(|(line, r)| {
                (
                    format!("line {line}"),
                    r.get(0).unwrap_or_default().to_owned(),
                )
            })
            .collect()
    } else {
        let b: PerkCodesIn = parse_json(&body)?;
        b.codes
            .into_iter()
            .enumerate()
            .map(|(i, c)| (format!("codes[{i}]"), c.trim().to_owned()))
            .collect()
    };
    // Perk codes are the partner's: kept exactly as given.
    let codes: Vec<String> = raw
        .into_iter()
        .map(|(field, code)| {
            if code.is_empty() || code.chars().count() > 200 {
                Err(ApiError::invalid(field, "a code is 1–200 characters"))
            } else {
                Ok(code)
            }
        })
        .collect::<Result<_, _>>()?;
    if codes.is_empty() || codes.len() > MAX_CODES {
        return Err(ApiError::invalid("codes", "1–10000 codes per request"));
    }
    let out = with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let row = tx
            .lock_reward(&program.id, &id)
            .await?
            .ok_or_else(|| ApiError::RewardNotFound(id.clone()))?;
        if !matches!(
            spec(&row)?.kind,
            jifen_core::rewards::catalog::RewardKind::PartnerPerk { .. }
        ) {
            return Err(ApiError::invalid("", format!("reward {id} is not a partner perk")).into());
        }
        let added = tx
            .add_reward_codes(&program.id, &id, &codes, state.clock.now())
            .await?;
        let left = tx
            .lock_reward(&program.id, &id)
            .await?
            .map_or(0, |r| r.codes_left);
        tx.commit().await?;
        Ok(PerkCodesOut {
            added,
            codes_left: left,
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// The language of titles.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// `zh-CN` (default) or `en`, or any language the titles have.
    pub lang: Option<String>,
}

/// What a member can redeem now, and what is locked and why ("opens for you in 3 h", "needs
/// Super tier", "limit of 1 per month reached", "needs 200 more points").
#[utoipa::path(get, path = "/v1/members/{external_id}/rewards", tag = "rewards",
    params(("external_id" = String, Path), LangQuery),
    responses((status = 200, body = ListOut<MemberRewardOut>), (status = 404, body = ErrorBody)))]
pub async fn member_rewards(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> Result<Json<ListOut<MemberRewardOut>>, ApiError> {
    let lang = q.lang.unwrap_or_else(|| "zh-CN".into());
    Ok(Json(ListOut {
        data: member_catalog(&state, &program, &external_id, &lang).await?,
    }))
}

/// Redeem a catalog item: spends the points, takes the stock and issues what it gives
/// (vouchers, a perk code, a shipping request) in one transaction. A retry with the same id
/// answers as the first did.
#[utoipa::path(post, path = "/v1/members/{external_id}/reward-redemptions", tag = "rewards",
    params(("external_id" = String, Path)), request_body = RewardRedemptionIn,
    responses((status = 201, body = RewardRedemptionOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_reward_redemption(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiJson(body): ApiJson<RewardRedemptionIn>,
) -> Result<Response, ApiError> {
    let a = crate::service::catalog::redeem(&state, &program, &external_id, &body).await?;
    Ok(answer(a))
}

/// A member's redemptions of catalog items, newest first.
#[utoipa::path(get, path = "/v1/members/{external_id}/reward-redemptions", tag = "rewards",
    params(("external_id" = String, Path)),
    responses((status = 200, body = ListOut<RewardRedemptionOut>), (status = 404, body = ErrorBody)))]
pub async fn member_reward_redemptions(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<ListOut<RewardRedemptionOut>>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    let rows = state.store.member_redemptions(member.id, 200, None).await?;
    Ok(Json(ListOut {
        data: rows.iter().map(redemption_out).collect(),
    }))
}

/// Show a redemption of a catalog item.
#[utoipa::path(get, path = "/v1/reward-redemptions/{id}", tag = "rewards",
    params(("id" = String, Path)),
    responses((status = 200, body = RewardRedemptionOut), (status = 404, body = ErrorBody)))]
pub async fn get_reward_redemption(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<RewardRedemptionOut>, ApiError> {
    let r = state
        .store
        .redemption(&program.id, &id)
        .await?
        .ok_or(ApiError::RedemptionNotFound(id))?;
    Ok(Json(redemption_out(&r)))
}

/// Why a redemption is cancelled.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelIn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Cancel a redemption: its vouchers are cancelled (refused when one was used, reserved or
/// gifted), a physical gift not yet delivered is called off, and the stock and points come
/// back, once.
#[utoipa::path(post, path = "/v1/reward-redemptions/{id}/cancel", tag = "rewards",
    params(("id" = String, Path)), request_body = CancelIn,
    responses((status = 200, body = RewardRedemptionOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn cancel_reward_redemption(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<RewardRedemptionOut>, ApiError> {
    let c: CancelIn = if body.is_empty() {
        CancelIn::default()
    } else {
        parse_json(&body)?
    };
    Ok(Json(
        crate::service::catalog::cancel(&state, &program, &id, c.reason).await?,
    ))
}

/// Record a physical gift's delivery: `shipped` (with tracking) then `delivered`.
#[utoipa::path(post, path = "/v1/reward-redemptions/{id}/fulfilment", tag = "rewards",
    params(("id" = String, Path)), request_body = FulfilmentIn,
    responses((status = 200, body = RewardRedemptionOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_fulfilment(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FulfilmentIn>,
) -> Result<Json<RewardRedemptionOut>, ApiError> {
    Ok(Json(
        crate::service::catalog::fulfil(&state, &program, &id, &body).await?,
    ))
}
