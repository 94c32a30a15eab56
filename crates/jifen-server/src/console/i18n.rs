//! The console's two languages: Simplified Chinese (the default) and English.
//!
//! Every string a page shows comes from [`ZH`] and [`EN`], by key; a test checks that both
//! tables name the same keys and that every key the templates and handlers use exists.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The cookie that remembers the operator's choice.
pub const COOKIE: &str = "jifen_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `zh-CN` or `en`, as in `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh-CN" | "zh" | "zh-cn" => Some(Lang::Zh),
            "en" | "en-US" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The language's own name, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }

    /// The text of `key`; the key itself when no table has it (a test keeps that from happening).
    pub fn t(self, key: &str) -> &'static str {
        static MERGED: LazyLock<[HashMap<&'static str, &'static str>; 2]> = LazyLock::new(|| {
            [
                TABLES
                    .iter()
                    .flat_map(|(zh, _)| zh.iter().copied())
                    .collect(),
                TABLES
                    .iter()
                    .flat_map(|(_, en)| en.iter().copied())
                    .collect(),
            ]
        });
        let table = &MERGED[usize::from(self == Lang::En)];
        match table.get(key) {
            Some(text) => text,
            None => {
                tracing::warn!(key, lang = self.code(), "console text missing");
                // Leaked once per missing key at most: keys are literals of the source.
                Box::leak(key.to_owned().into_boxed_str())
            }
        }
    }
}

/// `t(lang, key)`, for handlers.
pub fn t(lang: Lang, key: &str) -> &'static str {
    lang.t(key)
}

/// A table of texts: Simplified Chinese, English.
pub type Texts = (
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str)],
);

/// Every table: the console's common texts here, and each page module's own (`ZH`, `EN` in the
/// module, keys prefixed with the module's name).
pub const TABLES: &[Texts] = &[
    (ZH, EN),
    (super::members::ZH, super::members::EN),
    (super::rules::ZH, super::rules::EN),
    (super::settings::ZH, super::settings::EN),
    (super::tiers::ZH, super::tiers::EN),
    (super::referrals::ZH, super::referrals::EN),
    (super::webhooks::ZH, super::webhooks::EN),
    (super::reminders::ZH, super::reminders::EN),
    (super::audit::ZH, super::audit::EN),
    (super::rewards::ZH, super::rewards::EN),
    (super::badges::ZH, super::badges::EN),
    (super::segments::ZH, super::segments::EN),
    (super::leaderboards::ZH, super::leaderboards::EN),
    (super::challenges::ZH, super::challenges::EN),
    (super::dashboard::ZH, super::dashboard::EN),
    (super::gallery::ZH, super::gallery::EN),
];

/// Simplified Chinese.
pub const ZH: &[(&str, &str)] = &[
    ("app.name", "积分 jifen"),
    ("app.console", "管理后台"),
    ("nav.dashboard", "概览"),
    ("nav.members", "会员"),
    ("nav.rules", "规则与活动"),
    ("nav.tiers", "等级"),
    ("nav.rewards", "奖励与券"),
    ("nav.templates", "模板"),
    ("nav.settings", "设置"),
    ("nav.audit", "审计日志"),
    ("nav.account", "我的账户"),
    ("nav.signout", "退出登录"),
    ("nav.program", "当前项目"),
    ("nav.switch", "切换"),
    ("role.owner", "所有者"),
    ("role.marketer", "营销"),
    ("role.support", "客服"),
    ("role.viewer", "只读"),
    ("login.title", "登录"),
    ("login.email", "邮箱"),
    ("login.password", "密码"),
    ("login.submit", "登录"),
    ("login.wrong", "邮箱或密码不正确。"),
    (
        "login.locked_account",
        "该账户登录失败次数过多，已暂时锁定。请于 {until}后再试。",
    ),
    (
        "login.locked_address",
        "来自此地址的登录失败次数过多，已暂时锁定。请于 {until}后再试。",
    ),
    ("login.signed_out", "您已退出登录。"),
    ("login.expired", "会话已过期，请重新登录。"),
    ("login.no_program", "此账户尚未加入任何项目。"),
    ("error.forbidden", "您的角色无权执行此操作。"),
    ("error.csrf", "表单已过期或来源不明，请刷新页面后重试。"),
    ("error.not_found", "页面不存在。"),
    ("error.title", "出错了"),
    ("error.back", "返回"),
    ("toast.saved", "已保存。"),
    ("toast.failed", "未能保存："),
    ("account.title", "我的账户"),
    ("account.sessions", "登录会话"),
    ("account.current", "当前会话"),
    ("account.revoke", "撤销"),
    ("account.revoked", "会话已撤销。"),
    ("account.started", "登录时间"),
    ("account.last_seen", "最近活动"),
    ("account.expires", "过期时间"),
    ("account.address", "地址"),
    ("account.browser", "浏览器"),
    ("account.password", "修改密码"),
    ("account.password_current", "当前密码"),
    ("account.password_new", "新密码（至少 12 个字符）"),
    ("account.password_changed", "密码已修改，其他会话已退出。"),
    ("account.password_wrong", "当前密码不正确。"),
    ("account.password_short", "新密码至少需要 12 个字符。"),
    ("account.programs", "我的项目"),
    ("account.role", "角色"),
    ("common.save", "保存"),
    ("common.cancel", "取消"),
    ("common.search", "搜索"),
    ("common.none", "暂无"),
    ("common.yes", "是"),
    ("common.no", "否"),
    ("common.actions", "操作"),
    ("common.next", "下一页"),
    ("common.previous", "上一页"),
    ("common.history", "变更历史"),
    ("common.language", "语言"),
];

/// English.
pub const EN: &[(&str, &str)] = &[
    ("app.name", "jifen 积分"),
    ("app.console", "Console"),
    ("nav.dashboard", "Dashboard"),
    ("nav.members", "Members"),
    ("nav.rules", "Rules & campaigns"),
    ("nav.tiers", "Tiers"),
    ("nav.rewards", "Rewards & vouchers"),
    ("nav.templates", "Templates"),
    ("nav.settings", "Settings"),
    ("nav.audit", "Audit log"),
    ("nav.account", "My account"),
    ("nav.signout", "Sign out"),
    ("nav.program", "Program"),
    ("nav.switch", "Switch"),
    ("role.owner", "Owner"),
    ("role.marketer", "Marketer"),
    ("role.support", "Support"),
    ("role.viewer", "Viewer"),
    ("login.title", "Sign in"),
    ("login.email", "Email"),
    ("login.password", "Password"),
    ("login.submit", "Sign in"),
    ("login.wrong", "Wrong email or password."),
    (
        "login.locked_account",
        "Too many failed sign-ins for this account: it is locked for now. Try again after {until}.",
    ),
    (
        "login.locked_address",
        "Too many failed sign-ins from this address: it is locked for now. Try again after {until}.",
    ),
    ("login.signed_out", "You are signed out."),
    ("login.expired", "Your session expired: sign in again."),
    (
        "login.no_program",
        "This account has no role in any program yet.",
    ),
    ("error.forbidden", "Your role may not do this."),
    (
        "error.csrf",
        "This form expired or came from elsewhere: reload the page and try again.",
    ),
    ("error.not_found", "There is no such page."),
    ("error.title", "Something went wrong"),
    ("error.back", "Back"),
    ("toast.saved", "Saved."),
    ("toast.failed", "Not saved: "),
    ("account.title", "My account"),
    ("account.sessions", "Sessions"),
    ("account.current", "This session"),
    ("account.revoke", "Revoke"),
    ("account.revoked", "The session is revoked."),
    ("account.started", "Signed in"),
    ("account.last_seen", "Last seen"),
    ("account.expires", "Expires"),
    ("account.address", "Address"),
    ("account.browser", "Browser"),
    ("account.password", "Change password"),
    ("account.password_current", "Current password"),
    (
        "account.password_new",
        "New password (12 characters or more)",
    ),
    (
        "account.password_changed",
        "Password changed; your other sessions are signed out.",
    ),
    ("account.password_wrong", "The current password is wrong."),
    (
        "account.password_short",
        "The new password needs 12 characters or more.",
    ),
    ("account.programs", "My programs"),
    ("account.role", "Role"),
    ("common.save", "Save"),
    ("common.cancel", "Cancel"),
    ("common.search", "Search"),
    ("common.none", "None"),
    ("common.yes", "Yes"),
    ("common.no", "No"),
    ("common.actions", "Actions"),
    ("common.next", "Next"),
    ("common.previous", "Previous"),
    ("common.history", "History"),
    ("common.language", "Language"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_languages_name_the_same_keys_once() {
        let all_zh: Vec<_> = TABLES.iter().flat_map(|(zh, _)| zh.iter()).collect();
        let all_en: Vec<_> = TABLES.iter().flat_map(|(_, en)| en.iter()).collect();
        let zh: BTreeSet<_> = all_zh.iter().map(|(k, _)| *k).collect();
        let en: BTreeSet<_> = all_en.iter().map(|(k, _)| *k).collect();
        assert_eq!(zh.len(), all_zh.len(), "a key twice in the Chinese tables");
        assert_eq!(en.len(), all_en.len(), "a key twice in the English tables");
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "{only_zh:?} {only_en:?}"
        );
    }

    /// Every `t("key")` and `t(lang, "key")` of the console's sources and templates is a key of
    /// the tables.
    #[test]
    fn every_used_key_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let keys: BTreeSet<_> = TABLES
            .iter()
            .flat_map(|(zh, _)| zh.iter().map(|(k, _)| *k))
            .collect();
        let re = regex_lite_keys();
        let mut missing = Vec::new();
        for dir in ["src/console", "templates/console"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("dir") {
                let path = entry.expect("entry").path();
                let text = std::fs::read_to_string(&path).expect("read");
                for key in re(&text) {
                    if !keys.contains(key.as_str()) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys without text: {missing:#?}");
    }

    /// The keys used in a text: the literal after `t(` or `t(lang, ` (any first argument).
    fn regex_lite_keys() -> impl Fn(&str) -> Vec<String> {
        |text: &str| {
            let mut out = Vec::new();
            for (i, _) in text.match_indices("t(") {
                let before = text[..i].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &text[i + 2..];
                let rest = match rest.find('"') {
                    // `t(lang, "key")`: skip a first argument without a quote or a paren.
                    Some(q) if !rest[..q].contains(['(', ')', '"']) => &rest[q..],
                    _ => continue,
                };
                if let Some(body) = rest.strip_prefix('"')
                    && let Some(end) = body.find('"')
                {
                    let key = &body[..end];
                    if key.contains('.') && !key.contains(' ') {
                        out.push(key.to_owned());
                    }
                }
            }
            out
        }
    }
}
