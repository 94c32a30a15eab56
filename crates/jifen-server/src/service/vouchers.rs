//! Voucher templates and vouchers: issuing codes, and what stands in the way of using one.

use std::collections::BTreeMap;

use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chrono::{DateTime, Utc};
use jifen_core::Timestamp;
use jifen_core::rewards::checkout::{CashSettings, Reason};
use jifen_core::rewards::codes;
use jifen_core::rewards::voucher::VoucherTemplate;
use jifen_store::{GiftRow, Program, VoucherRow, VoucherUseRow, WriteTx};

use super::Failure;
use crate::app::AppState;
use crate::error::ApiError;

/// The settings document of checkouts.
pub const CHECKOUT: &str = "checkout";

/// How a program's checkouts work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutSettings {
    /// Points as cash: `points` points pay `fen` fen, for at most `max_share_percent` of what
    /// is left to pay after vouchers. Absent: points do not pay at checkout.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub points_as_cash: Option<CashSettings>,
    /// How long a redeemed checkout holds its points and vouchers before they are released.
    #[serde(default = "fifteen")]
    pub reservation_minutes: u32,
    /// How long a gifted voucher waits for its friend before it returns to the sender.
    #[serde(default = "seventy_two")]
    pub gift_hours: u32,
}

fn fifteen() -> u32 {
    15
}

fn seventy_two() -> u32 {
    72
}

impl Default for CheckoutSettings {
    fn default() -> Self {
        CheckoutSettings {
            points_as_cash: None,
            reservation_minutes: fifteen(),
            gift_hours: seventy_two(),
        }
    }
}

impl CheckoutSettings {
    pub fn validate(&self) -> Result<(), ApiError> {
        if let Some(cash) = &self.points_as_cash {
            cash.validate().map_err(|(field, message)| {
                ApiError::invalid(format!("points_as_cash.{field}"), message)
            })?;
        }
        if !(1..=1440).contains(&self.reservation_minutes) {
            return Err(ApiError::invalid(
                "reservation_minutes",
                "reservation_minutes must be between 1 and 1440",
            ));
        }
        if !(1..=720).contains(&self.gift_hours) {
            return Err(ApiError::invalid(
                "gift_hours",
                "gift_hours must be between 1 and 720",
            ));
        }
        Ok(())
    }

    /// The stored document (defaults when none; an unreadable one is logged and ignored).
    pub fn parse(body: Option<String>) -> CheckoutSettings {
        body.and_then(|b| {
            serde_json::from_str(&b)
                .map_err(|e| tracing::error!(error = %e, "unreadable checkout settings"))
                .ok()
        })
        .unwrap_or_default()
    }
}

/// A stored template's terms.
pub fn terms(body: &str) -> Result<VoucherTemplate, ApiError> {
    serde_json::from_str(body).map_err(|e| {
        tracing::error!(error = %e, "unreadable voucher terms");
        ApiError::Internal
    })
}

/// A new code for a template: random, readable, with a check character.
pub fn new_code(prefix: Option<&str>) -> String {
    codes::generate(prefix, rand::rng().random())
}

/// Vouchers of a template, ready to insert: one per owner (`None`: a public code).
pub fn new_vouchers(
    template_id: &str,
    terms: &VoucherTemplate,
    owners: &[Option<i64>],
    max_uses: Option<u32>,
    source: &str,
    now: Timestamp,
) -> Vec<VoucherRow> {
    let (valid_from, valid_until) = terms.window(now);
    let body = serde_json::to_string(terms).unwrap_or_default();
    owners
        .iter()
        .map(|owner| VoucherRow {
            code: new_code(terms.code_prefix.as_deref()),
            template_id: template_id.to_owned(),
            terms: body.clone(),
            member_id: *owner,
            owner: None,
            status: "active".into(),
            uses: 0,
            max_uses: i64::from(max_uses.unwrap_or(terms.max_uses)),
            valid_from,
            valid_until,
            source: source.to_owned(),
            issued_at: now,
            updated_at: now,
        })
        .collect()
}

/// Inserts new vouchers, drawing fresh codes for any that collide with existing ones.
pub async fn insert_new(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    mut rows: Vec<VoucherRow>,
    prefix: Option<&str>,
) -> Result<Vec<VoucherRow>, Failure> {
    let mut done = Vec::with_capacity(rows.len());
    for _ in 0..4 {
        let taken = tx.insert_vouchers(program_id, &rows).await?;
        let (retry, ok): (Vec<VoucherRow>, Vec<VoucherRow>) =
            rows.into_iter().partition(|v| taken.contains(&v.code));
        done.extend(ok);
        if retry.is_empty() {
            return Ok(done);
        }
        rows = retry
            .into_iter()
            .map(|mut v| {
                v.code = new_code(prefix);
                v
            })
            .collect();
    }
    tracing::error!("voucher codes kept colliding");
    Err(ApiError::Internal.into())
}

/// A stored template's terms when vouchers can be issued from it: `None` when it is missing,
/// an error when it is automatic (it applies without codes).
async fn issuable(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    template_id: &str,
) -> Result<Option<VoucherTemplate>, Failure> {
    let Some(doc) = tx.voucher_template(program_id, template_id).await? else {
        return Ok(None);
    };
    let terms = terms(&doc.body)?;
    if terms.automatic {
        return Err(ApiError::invalid(
            "template",
            format!("template {template_id} is automatic: it applies without codes"),
        )
        .into());
    }
    Ok(Some(terms))
}

/// Inserts one voucher of `terms` for each member.
async fn issue_terms(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    template_id: &str,
    terms: &VoucherTemplate,
    members: &[i64],
    source: &str,
    now: Timestamp,
) -> Result<Vec<VoucherRow>, Failure> {
    let owners: Vec<Option<i64>> = members.iter().map(|m| Some(*m)).collect();
    let rows = new_vouchers(template_id, terms, &owners, None, source, now);
    insert_new(tx, program_id, rows, terms.code_prefix.as_deref()).await
}

/// Issues one voucher of a stored template to each member, in `tx`.
pub async fn issue(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    template_id: &str,
    members: &[i64],
    source: &str,
    now: Timestamp,
) -> Result<Vec<VoucherRow>, Failure> {
    let terms = issuable(tx, program_id, template_id)
        .await?
        .ok_or_else(|| ApiError::VoucherTemplateNotFound(template_id.to_owned()))?;
    issue_terms(tx, program_id, template_id, &terms, members, source, now).await
}

/// Issues a voucher that a rule or a benefit names to each member. Templates were checked
/// when the rule or policy was saved; one that is missing or became automatic since is logged
/// and skipped, rather than fail every event or job page that names it.
pub async fn issue_named(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    template: &str,
    members: &[i64],
    source: &str,
    now: Timestamp,
) -> Result<(), Failure> {
    match issuable(tx, program_id, template).await {
        Ok(Some(terms)) => {
            issue_terms(tx, program_id, template, &terms, members, source, now).await?;
        }
        Ok(None) | Err(Failure::Api(_)) => {
            tracing::error!(
                template,
                source,
                "missing or automatic voucher template; skipped"
            );
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// Issues the vouchers that benefit grants name (source `benefit:<benefit>:<period>`): one
/// insert for the members of a page that get the same gift.
pub async fn issue_grants(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    grants: &[&jifen_store::BenefitGrant],
    now: Timestamp,
) -> Result<(), Failure> {
    let mut by_gift: BTreeMap<(&str, String), Vec<i64>> = BTreeMap::new();
    for g in grants {
        if let Some(template) = &g.voucher {
            let source = format!("benefit:{}:{}", g.benefit, g.period);
            by_gift
                .entry((template.as_str(), source))
                .or_default()
                .push(g.member_id);
        }
    }
    for ((template, source), members) in by_gift {
        issue_named(tx, program_id, template, &members, &source, now).await?;
    }
    Ok(())
}

/// Refuses references to templates that do not exist or are automatic, naming the field.
pub async fn check_templates(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    refs: &[(String, &str)],
) -> Result<(), Failure> {
    for (field, template) in refs {
        let doc = tx.voucher_template(program_id, template).await?;
        let ok = match doc {
            Some(d) => !terms(&d.body)?.automatic,
            None => false,
        };
        if !ok {
            return Err(ApiError::invalid(
                field.clone(),
                format!(
                    "voucher template {template} does not exist or is automatic: create it with \
                     PUT /v1/voucher-templates/{template}"
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// Where a voucher stands for a member at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoucherState {
    Usable,
    Reserved,
    Used,
    Gifted,
    NotYetValid,
    Expired,
    Cancelled,
}

/// The uses and gifts of vouchers, by code.
#[derive(Debug, Default)]
pub struct Stored {
    pub uses: BTreeMap<String, Vec<VoucherUseRow>>,
    pub gifts: BTreeMap<String, Vec<GiftRow>>,
}

impl Stored {
    pub fn new(uses: Vec<VoucherUseRow>, gifts: Vec<GiftRow>) -> Stored {
        let mut s = Stored::default();
        for u in uses {
            s.uses.entry(u.code.clone()).or_default().push(u);
        }
        for g in gifts {
            s.gifts.entry(g.code.clone()).or_default().push(g);
        }
        s
    }

    /// The gift of a voucher waiting for its friend at `now`.
    pub fn offered(&self, code: &str, now: Timestamp) -> Option<&GiftRow> {
        self.gifts
            .get(code)?
            .iter()
            .find(|g| g.status == "offered" && g.deadline > now)
    }

    /// Whether a checkout holds a reservation of the voucher at `now`.
    pub fn in_use(&self, code: &str, now: Timestamp) -> bool {
        self.uses
            .get(code)
            .is_some_and(|u| u.iter().any(|u| u.status == "reserved" && u.until > now))
    }

    /// Why `member` cannot use a voucher now, from what is stored (not the cart): `None`
    /// when nothing stored stands in the way. `checkout` is a checkout whose own reservation
    /// does not count against it.
    pub fn blocked(
        &self,
        v: &VoucherRow,
        member: Option<i64>,
        checkout: Option<&str>,
        now: Timestamp,
    ) -> Option<Reason> {
        if v.status == "cancelled" {
            return Some(Reason::Cancelled);
        }
        if v.member_id.is_some() && v.member_id != member {
            return Some(Reason::NotYours);
        }
        if self.offered(&v.code, now).is_some() {
            return Some(Reason::Gifted);
        }
        let uses: Vec<&VoucherUseRow> = self
            .uses
            .get(&v.code)
            .map(|u| {
                u.iter()
                    .filter(|u| u.holds_at(now) && Some(u.checkout_id.as_str()) != checkout)
                    .collect()
            })
            .unwrap_or_default();
        if v.member_id.is_none() && member.is_some() && uses.iter().any(|u| u.member_id == member) {
            return Some(Reason::UsedByYou);
        }
        let reserved = uses.iter().filter(|u| u.status == "reserved").count() as i64;
        if v.uses >= v.max_uses {
            return Some(Reason::UsedUp {
                max_uses: u32::try_from(v.max_uses).unwrap_or(u32::MAX),
            });
        }
        if v.uses + reserved >= v.max_uses {
            return Some(Reason::Reserved);
        }
        None
    }

    /// A voucher's state for its owner at `now`.
    pub fn state(&self, v: &VoucherRow, now: Timestamp) -> VoucherState {
        match self.blocked(v, v.member_id, None, now) {
            Some(Reason::Cancelled) => VoucherState::Cancelled,
            Some(Reason::Gifted) => VoucherState::Gifted,
            Some(Reason::UsedUp { .. }) => VoucherState::Used,
            Some(Reason::Reserved) => VoucherState::Reserved,
            _ if v.valid_until.is_some_and(|u| u <= now) => VoucherState::Expired,
            _ if v.valid_from.is_some_and(|f| f > now) => VoucherState::NotYetValid,
            _ => VoucherState::Usable,
        }
    }
}

/// Canonical codes of a request, refusing ones that cannot be codes.
pub fn request_codes(raw: &[String]) -> Result<Vec<String>, ApiError> {
    if raw.len() > 10 {
        return Err(ApiError::invalid(
            "vouchers",
            "at most 10 voucher codes per checkout",
        ));
    }
    raw.iter()
        .enumerate()
        .map(|(i, c)| {
            let code = codes::canonical(c);
            if code.is_empty()
                || code.len() > 64
                || !code.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                Err(ApiError::invalid(
                    format!("vouchers[{i}]"),
                    "a voucher code is 1–64 letters and digits (spaces and dashes are ignored)",
                ))
            } else {
                Ok(code)
            }
        })
        .collect()
}

/// Codes read per page of an export.
const EXPORT_PAGE: u32 = 1_000;

/// A template's codes as CSV, by code: `code,member,max_uses,uses,status,valid_until,
/// issued_at` with a header row. The first three columns are what an import reads.
pub async fn codes_csv(
    state: &crate::app::AppState,
    program: &jifen_store::Program,
    template: &str,
) -> Result<Vec<u8>, ApiError> {
    if state
        .store
        .voucher_template(&program.id, template)
        .await?
        .is_none()
    {
        return Err(ApiError::VoucherTemplateNotFound(template.to_owned()));
    }
    let csv_err = |e: csv::Error| {
        tracing::error!(error = %e, "csv export");
        ApiError::Internal
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "code",
        "member",
        "max_uses",
        "uses",
        "status",
        "valid_until",
        "issued_at",
    ])
    .map_err(csv_err)?;
    let mut after: Option<String> = None;
    loop {
        let rows = state
            .store
            .template_vouchers(&program.id, template, after.as_deref(), EXPORT_PAGE)
            .await?;
        for v in &rows {
            out.write_record([
                v.code.as_str(),
                v.owner.as_deref().unwrap_or_default(),
                &v.max_uses.to_string(),
                &v.uses.to_string(),
                v.status.as_str(),
                &v.valid_until.map(|t| t.to_rfc3339()).unwrap_or_default(),
                &v.issued_at.to_rfc3339(),
            ])
            .map_err(csv_err)?;
        }
        match rows.last() {
            Some(last) if rows.len() == EXPORT_PAGE as usize => after = Some(last.code.clone()),
            _ => break,
        }
    }
    out.into_inner().map_err(|e| csv_err(e.into_error().into()))
}

/// A voucher.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VoucherOut {
    pub code: String,
    pub template: String,
    pub title: String,
    /// What it gives ("¥20 off, spend ≥ ¥99").
    pub gives: String,
    /// The owner's external id; absent for a public code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Where it stands for its owner now.
    pub state: VoucherState,
    pub uses: i64,
    pub max_uses: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    /// What issued it.
    pub source: String,
    pub issued_at: DateTime<Utc>,
}

/// A voucher as shown, with where it stands at `now` given its uses and gifts.
pub fn voucher_out(
    v: &VoucherRow,
    stored: &Stored,
    now: DateTime<Utc>,
) -> Result<VoucherOut, ApiError> {
    let t = terms(&v.terms)?;
    Ok(VoucherOut {
        code: v.code.clone(),
        template: v.template_id.clone(),
        title: t.title_in("zh-CN").to_owned(),
        gives: t.gives(),
        owner: v.owner.clone(),
        state: stored.state(v, now),
        uses: v.uses,
        max_uses: v.max_uses,
        valid_from: v.valid_from,
        valid_until: v.valid_until,
        source: v.source.clone(),
        issued_at: v.issued_at,
    })
}

/// Members' vouchers as shown, with where each stands now.
pub async fn vouchers_out(
    state: &AppState,
    program: &Program,
    rows: &[VoucherRow],
) -> Result<Vec<VoucherOut>, ApiError> {
    let codes: Vec<&str> = rows.iter().map(|v| v.code.as_str()).collect();
    let now = state.clock.now();
    let stored = Stored::new(
        state
            .store
            .voucher_uses(&program.id, &codes, now, None)
            .await?,
        state.store.gifts_of(&program.id, &codes).await?,
    );
    rows.iter().map(|v| voucher_out(v, &stored, now)).collect()
}
