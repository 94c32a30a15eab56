//! Voucher templates: what a voucher takes off, on which items and sites, when, and with which
//! other vouchers it stacks. Codes are issued from a template (or imported for it); automatic
//! templates apply to every cart without one.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::{Localized, check_localized, codes, field_err, localized_in};
use crate::Timestamp;

/// The largest amount of money (fen) a template may name: ¥100,000,000.
pub const MAX_FEN: i64 = 10_000_000_000;

/// What a voucher takes off the items it applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Discount {
    /// A fixed amount (fen) off, at most the eligible subtotal.
    Amount { off: i64 },
    /// A percentage of the eligible subtotal (rounded down), at most `max_off` fen.
    Percent {
        percent: u32,
        #[serde(default)]
        max_off: Option<i64>,
    },
    /// A spend ladder (Tmall's 满减): the highest rung the eligible subtotal reaches.
    Ladder { rungs: Vec<Rung> },
}

/// One rung of a ladder: spend at least `min_spend` fen, get `off` fen off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    /// The eligible subtotal (fen) that reaches the rung.
    pub min_spend: i64,
    /// What the rung takes off (fen).
    pub off: i64,
}

/// Which items and sites a voucher applies to. Empty lists restrict nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Restrictions {
    /// Only these SKUs (with `categories`: items of either).
    pub skus: Vec<String>,
    /// Only items of these categories.
    pub categories: Vec<String>,
    /// Never these SKUs.
    pub exclude_skus: Vec<String>,
    /// Never items of these categories.
    pub exclude_categories: Vec<String>,
    /// Only carts from these sites: a site id, or a family ending in `*` (`store:*`).
    pub sites: Vec<String>,
    /// Only members of any of these segments (slugs), as their materialised membership says
    /// when the cart is judged; a guest's cart cannot use it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<String>,
}

/// When a voucher can be used. Nothing set: forever.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Validity {
    /// From this instant (inclusive).
    pub from: Option<Timestamp>,
    /// Until this instant (exclusive).
    pub until: Option<Timestamp>,
    /// For this many days from when the code is issued (instead of `from`/`until`).
    pub days: Option<u32>,
}

/// How a voucher combines with others on one cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Stacking {
    /// At most one voucher of a group applies to a cart (none: no group).
    pub group: Option<String>,
    /// False: the voucher applies only alone.
    pub combinable: bool,
}

impl Default for Stacking {
    fn default() -> Self {
        Stacking {
            group: None,
            combinable: true,
        }
    }
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

/// A voucher template: the terms every code issued from it shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoucherTemplate {
    /// The name members see, by language.
    pub title: Localized,
    /// A longer text (the terms, in words), by language.
    #[serde(default)]
    pub description: Localized,
    /// What the voucher takes off.
    pub discount: Discount,
    /// The eligible subtotal (fen) a cart needs for the voucher to apply.
    #[serde(default)]
    pub min_spend: i64,
    #[serde(default)]
    /// Which items and sites it applies to.
    pub restrictions: Restrictions,
    #[serde(default)]
    /// When it can be used.
    pub validity: Validity,
    #[serde(default)]
    /// How it combines with other vouchers.
    pub stacking: Stacking,
    /// How many times one code can be used.
    #[serde(default = "one")]
    pub max_uses: u32,
    /// Applies to every cart, without a code.
    #[serde(default)]
    pub automatic: bool,
    /// Whether a member holding a code can offer it to a friend.
    #[serde(default = "yes")]
    pub giftable: bool,
    /// The prefix of the codes generated for the template.
    #[serde(default)]
    pub code_prefix: Option<String>,
}

/// Whether `n` fen is a positive amount a template may name.
fn positive_fen(n: i64) -> bool {
    (1..=MAX_FEN).contains(&n)
}

fn valid_group(g: &str) -> bool {
    (1..=40).contains(&g.len())
        && g.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

fn check_list(field: &str, items: &[String], site: bool) -> Result<(), (String, String)> {
    if items.len() > 1_000 {
        return field_err(field, "at most 1,000 entries");
    }
    for (i, item) in items.iter().enumerate() {
        if item.trim().is_empty() || item.chars().count() > 100 {
            return field_err(format!("{field}[{i}]"), "1 to 100 characters");
        }
        if site && item.find('*').is_some_and(|p| p + 1 != item.len()) {
            return field_err(
                format!("{field}[{i}]"),
                "a site family has one '*', at the end (store:*)",
            );
        }
    }
    Ok(())
}

impl Discount {
    /// Checks the discount; field paths are relative to it (`rungs[1].off`).
    fn validate(&self) -> Result<(), (String, String)> {
        match self {
            Discount::Amount { off } if !positive_fen(*off) => {
                field_err("off", "an amount off is 1 fen to ¥100,000,000")
            }
            Discount::Percent { percent, .. } if !(1..=100).contains(percent) => {
                field_err("percent", "a percentage is 1 to 100")
            }
            Discount::Percent {
                max_off: Some(m), ..
            } if !positive_fen(*m) => field_err("max_off", "a cap is 1 fen to ¥100,000,000"),
            Discount::Ladder { rungs } => {
                if rungs.is_empty() || rungs.len() > 10 {
                    return field_err("rungs", "a ladder has 1 to 10 rungs");
                }
                for (i, rung) in rungs.iter().enumerate() {
                    if !(0..=MAX_FEN).contains(&rung.min_spend) {
                        return field_err(
                            format!("rungs[{i}].min_spend"),
                            "a minimum spend is 0 to ¥100,000,000",
                        );
                    }
                    if !positive_fen(rung.off) {
                        return field_err(
                            format!("rungs[{i}].off"),
                            "an amount off is 1 fen to ¥100,000,000",
                        );
                    }
                    if i > 0 && rung.min_spend <= rungs[i - 1].min_spend {
                        return field_err(
                            format!("rungs[{i}].min_spend"),
                            "minimum spends rise from each rung to the next",
                        );
                    }
                    if i > 0 && rung.off <= rungs[i - 1].off {
                        return field_err(
                            format!("rungs[{i}].off"),
                            "amounts off rise from each rung to the next",
                        );
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

impl VoucherTemplate {
    /// Checks a template before it is saved; the error names the field (`discount.rungs[1].off`)
    /// and what is wrong with it.
    pub fn validate(&self) -> Result<(), (String, String)> {
        check_localized("title", &self.title, true, 200)?;
        check_localized("description", &self.description, false, 2_000)?;
        self.discount
            .validate()
            .map_err(|(f, m)| (format!("discount.{f}"), m))?;
        if !(0..=MAX_FEN).contains(&self.min_spend) {
            return field_err("min_spend", "a minimum spend is 0 to ¥100,000,000");
        }
        let r = &self.restrictions;
        check_list("restrictions.skus", &r.skus, false)?;
        check_list("restrictions.categories", &r.categories, false)?;
        check_list("restrictions.exclude_skus", &r.exclude_skus, false)?;
        check_list(
            "restrictions.exclude_categories",
            &r.exclude_categories,
            false,
        )?;
        check_list("restrictions.sites", &r.sites, true)?;
        if r.segments.len() > 20 {
            return field_err("restrictions.segments", "at most 20 segments");
        }
        if let Some(i) = r.segments.iter().position(|s| !crate::segments::slug_ok(s)) {
            return field_err(
                format!("restrictions.segments[{i}]"),
                "a segment's slug is 1–64 characters of a-z, 0-9, - and _",
            );
        }
        let v = &self.validity;
        if let Some(days) = v.days {
            if !(1..=3_650).contains(&days) {
                return field_err("validity.days", "1 to 3,650 days");
            }
            if v.from.is_some() || v.until.is_some() {
                return field_err(
                    "validity.days",
                    "a voucher lasts either some days from issue or from/until dates, not both",
                );
            }
            if self.automatic {
                return field_err(
                    "validity.days",
                    "automatic vouchers are not issued, so they cannot last days from issue",
                );
            }
        }
        if let (Some(from), Some(until)) = (v.from, v.until)
            && from >= until
        {
            return field_err("validity.until", "the end comes after the start");
        }
        if let Some(group) = &self.stacking.group
            && !valid_group(group)
        {
            return field_err(
                "stacking.group",
                "a group is 1 to 40 characters of a-z, 0-9, _ and -",
            );
        }
        if !(1..=1_000_000).contains(&self.max_uses) {
            return field_err("max_uses", "a code can be used 1 to 1,000,000 times");
        }
        if let Some(prefix) = &self.code_prefix
            && !codes::valid_prefix(prefix)
        {
            return field_err(
                "code_prefix",
                "a prefix is 1 to 8 characters of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ",
            );
        }
        Ok(())
    }

    /// When a code issued at `issued_at` is valid: `days` from issue, or the template's
    /// `from`/`until` (either may be open).
    pub fn window(&self, issued_at: Timestamp) -> (Option<Timestamp>, Option<Timestamp>) {
        match self.validity.days {
            Some(days) => (
                Some(issued_at),
                Some(issued_at + Duration::days(i64::from(days))),
            ),
            None => (self.validity.from, self.validity.until),
        }
    }

    /// A cash voucher: `value` fen off anything, no minimum spend, combinable, one use, valid
    /// for `days` days from issue (what points-as-cash rewards and gifts issue).
    pub fn cash(title: Localized, value: i64, days: u32) -> VoucherTemplate {
        VoucherTemplate {
            title,
            description: Localized::new(),
            discount: Discount::Amount { off: value },
            min_spend: 0,
            restrictions: Restrictions::default(),
            validity: Validity {
                from: None,
                until: None,
                days: Some(days),
            },
            stacking: Stacking::default(),
            max_uses: 1,
            automatic: false,
            giftable: true,
            code_prefix: None,
        }
    }

    /// The title in `lang`, else in `zh-CN`, else in `en`, else in any language, else `""`.
    pub fn title_in(&self, lang: &str) -> &str {
        localized_in(&self.title, lang)
    }

    /// A readable account of what a voucher gives, for lists: "¥20 off", "15% off (up to
    /// ¥50)", "¥20 off ≥ ¥199, ¥50 off ≥ ¥399", with ", spend ≥ ¥99" for a minimum spend.
    pub fn gives(&self) -> String {
        use super::yuan;
        let main = match &self.discount {
            Discount::Amount { off } => format!("{} off", yuan(*off)),
            Discount::Percent { percent, max_off } => match max_off {
                Some(m) => format!("{percent}% off (up to {})", yuan(*m)),
                None => format!("{percent}% off"),
            },
            Discount::Ladder { rungs } => rungs
                .iter()
                .map(|r| format!("{} off ≥ {}", yuan(r.off), yuan(r.min_spend)))
                .collect::<Vec<_>>()
                .join(", "),
        };
        if self.min_spend > 0 {
            format!("{main}, spend ≥ {}", yuan(self.min_spend))
        } else {
            main
        }
    }
}
