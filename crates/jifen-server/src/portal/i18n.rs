//! The portal's two languages: Simplified Chinese (the default) and English.
//!
//! Every string a portal page shows comes from [`ZH`] and [`EN`], by key; a test checks that both
//! tables name the same keys and that every key the templates and handlers use exists. Texts
//! with `{name}` holes are filled with [`fill`].

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;

use crate::console::i18n::Lang;

/// The cookie that remembers the member's choice (path `/portal/`).
pub const COOKIE: &str = "jifen_portal_lang";

/// The language of a portal request: `?lang=`, else the remembered choice (set from the link
/// on entering), else zh-CN.
pub fn lang_of(headers: &HeaderMap, query: Option<&str>) -> Lang {
    query
        .and_then(query_lang)
        .or_else(|| crate::console::auth::cookie(headers, COOKIE).and_then(|v| Lang::parse(&v)))
        .unwrap_or_default()
}

/// The language a query asks for with `lang=`.
pub fn query_lang(query: &str) -> Option<Lang> {
    crate::console::auth::url_pairs(query)
        .into_iter()
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(&v))
}

/// The text of `key` in `lang`; the key itself when the tables lack it (a test keeps that from
/// happening).
pub fn t(lang: Lang, key: &str) -> &'static str {
    static TABLES: LazyLock<[HashMap<&'static str, &'static str>; 2]> =
        LazyLock::new(|| [ZH.iter().copied().collect(), EN.iter().copied().collect()]);
    match TABLES[usize::from(lang == Lang::En)].get(key) {
        Some(text) => text,
        None => {
            tracing::warn!(key, lang = lang.code(), "portal text missing");
            // Leaked once per missing key at most: keys are literals of the source.
            Box::leak(key.to_owned().into_boxed_str())
        }
    }
}

/// English nouns that follow a count in the texts, plural and singular: a hole filled with
/// one (`1`, `-1`, `+1`) takes the singular ("you earned 1 point", "1 more day"). Chinese has
/// no plural, and its texts hold none of these words.
const PLURALS: &[(&str, &str)] = &[
    (" points", " point"),
    (" owed points", " owed point"),
    (" more days", " more day"),
    (" days", " day"),
    (" vouchers", " voucher"),
];

/// A text with its `{name}` holes filled.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in values {
        let hole = format!("{{{name}}}");
        if value.trim_start_matches(['-', '+']) == "1" {
            for (plural, singular) in PLURALS {
                out = out.replace(&format!("{hole}{plural}"), &format!("{hole}{singular}"));
            }
        }
        out = out.replace(&hole, value);
    }
    out
}

/// Simplified Chinese.
pub const ZH: &[(&str, &str)] = &[
    ("app.title", "会员中心"),
    ("tab.home", "首页"),
    ("tab.check_in", "签到"),
    ("error.title", "出错了"),
    ("error.link_title", "链接已失效"),
    (
        "error.link_spent",
        "此链接已使用或已过期。为保护您的账户，每个链接只能打开一次。",
    ),
    ("error.link_unknown", "此链接无效。"),
    ("error.session_title", "登录已过期"),
    ("error.session_expired", "您的会员中心登录已过期或无效。"),
    (
        "error.reopen",
        "请回到品牌的 App 或小程序，重新打开会员中心。",
    ),
    ("error.csrf", "页面已过期或来源不明，请刷新页面后重试。"),
    ("error.not_found", "页面不存在。"),
    ("error.failed", "暂时无法完成，请稍后再试。"),
    ("home.available", "可用积分"),
    ("home.pending", "待到账 {points} 积分"),
    ("home.pending_on", "{date} 到账 {points} 积分"),
    ("home.expiring", "30 天内将过期 {points} 积分"),
    ("home.expiring_on", "{date} 过期 {points} 积分"),
    ("home.tier", "会员等级"),
    ("home.tier_points", "再获得 {n} 积分即可升级{tier}"),
    ("home.tier_spend", "再消费 ¥{n} 升级{tier}"),
    ("home.tier_meter", "再获得 {n} {meter}即可升级{tier}"),
    ("home.tier_top", "您已是最高等级"),
    ("home.checked_in", "今日已签到"),
    ("home.not_checked_in", "今天还没有签到"),
    ("home.check_in_now", "去签到"),
    ("home.streak", "已连续签到 {n} 天"),
    ("checkin.title", "每日签到"),
    ("checkin.button", "签到"),
    ("checkin.done_today", "今日已签到"),
    ("checkin.streak", "已连续签到 {n} 天"),
    ("checkin.bonus", "再签到 {n} 天得 {points} 积分"),
    ("checkin.earned", "签到成功，获得 {points} 积分"),
    ("checkin.earned_nothing", "签到成功"),
    ("checkin.month", "{year} 年 {month} 月"),
    ("checkin.weekdays", "一 二 三 四 五 六 日"),
    ("checkin.today", "今天"),
    ("tab.rewards", "积分商城"),
    ("rewards.title", "积分商城"),
    ("rewards.available", "可用积分 {points}"),
    ("rewards.now", "可兑换"),
    ("rewards.later", "暂不可兑换"),
    ("rewards.none", "暂无可兑换的礼品。"),
    ("rewards.cost", "{points} 积分"),
    ("rewards.left", "剩余 {n} 件"),
    ("rewards.redeem", "立即兑换"),
    ("rewards.confirm", "确认兑换"),
    ("rewards.after", "兑换后剩余 {points} 积分"),
    ("rewards.back", "返回积分商城"),
    ("rewards.refused", "兑换未成功，积分未扣除。"),
    ("rewards.redeemed", "已兑换 {title}"),
    (
        "rewards.spent",
        "花费 {points} 积分，当前可用 {available} 积分",
    ),
    ("rewards.vouchers", "券已放入卡包："),
    ("rewards.codes", "兑换码："),
    ("rewards.requested", "礼品将由品牌安排寄出。"),
    ("rewards.to_wallet", "查看卡包"),
    ("rewards.or", "或"),
    ("rewards.paused", "暂停兑换"),
    ("rewards.opens_later", "{at} 开放兑换"),
    ("rewards.closed", "已结束兑换"),
    ("rewards.needs_tier", "{tiers}会员专享"),
    ("rewards.not_eligible", "您暂不符合兑换条件"),
    ("rewards.sold_out", "已兑完"),
    ("rewards.limit", "限兑 {n} 次，已达上限"),
    ("rewards.limit_per", "每{period}限兑 {n} 次，已达上限"),
    ("rewards.per_day", "日"),
    ("rewards.per_week", "周"),
    ("rewards.per_month", "月"),
    ("rewards.per_year", "年"),
    ("rewards.too_many", "每次限兑 {n} 件"),
    ("rewards.short", "还差 {n} 积分"),
    ("tab.wallet", "卡包"),
    ("wallet.title", "我的卡券"),
    ("wallet.none", "还没有卡券，去积分商城兑换吧。"),
    ("wallet.spent", "已使用 / 已过期"),
    ("wallet.valid_until", "有效期至 {date}"),
    ("wallet.usable", "可使用"),
    ("wallet.reserved", "使用中"),
    ("wallet.used", "已使用"),
    ("wallet.gifted", "已赠送"),
    ("wallet.not_yet_valid", "{date} 起可用"),
    ("wallet.expired", "已过期"),
    ("wallet.cancelled", "已作废"),
    ("wallet.qr", "二维码"),
    ("wallet.barcode", "条形码"),
    ("wallet.back", "返回卡包"),
    ("wallet.given", "送给好友的卡券"),
    ("wallet.given_line", "{title} · {date} 被好友领取"),
    (
        "wallet.gift_waiting",
        "已赠送，等待好友领取；{deadline} 前未领取将退回给您。",
    ),
    ("home.profile", "我的资料"),
    ("home.notifications", "消息提醒"),
    ("notifications.title", "消息提醒"),
    (
        "notifications.intro",
        "选择您希望收到的提醒，以及通过哪些渠道收到。每次更改都会记录时间与来源。",
    ),
    ("notifications.save", "保存"),
    ("notifications.saved", "已保存您的提醒设置。"),
    ("notifications.refused", "未能保存：{why}"),
    ("notifications.channel.wechat", "微信"),
    ("notifications.channel.sms", "短信"),
    ("notifications.channel.push", "App 推送"),
    ("notifications.kind.points_expiring", "积分即将过期"),
    ("notifications.kind.streak_at_risk", "连续签到即将中断"),
    ("notifications.kind.tier_requalification", "会员等级保级"),
    ("notifications.kind.birthday", "生日祝福与礼物"),
    ("notifications.kind.voucher_expiring", "优惠券即将过期"),
    ("notifications.kind.gift_unclaimed", "礼物尚未领取"),
    (
        "notifications.help.points_expiring",
        "积分过期前提醒您使用。",
    ),
    (
        "notifications.help.streak_at_risk",
        "今天还没签到时提醒您。",
    ),
    (
        "notifications.help.tier_requalification",
        "等级复核前，告诉您还差多少保级。",
    ),
    ("notifications.help.birthday", "生日前送上祝福和生日礼。"),
    (
        "notifications.help.voucher_expiring",
        "优惠券过期前提醒您使用。",
    ),
    (
        "notifications.help.gift_unclaimed",
        "您送出或收到的礼物尚未领取时提醒。",
    ),
    ("badges.title", "我的勋章"),
    (
        "badges.empty",
        "还没有勋章。签到、消费、评价，都能点亮勋章。",
    ),
    ("badges.progress", "下一枚勋章"),
    ("badges.next", "{badge}·{level}：{value} / {target}"),
    ("badges.share_heading", "获得勋章"),
    ("badges.share_title", "我点亮了「{badge}·{level}」勋章"),
    ("badges.share_description", "{brand} 会员勋章，{date} 获得"),
    ("badges.earned_on", "{date} 获得"),
    ("badges.share_qr", "扫码查看这枚勋章"),
    ("home.badges", "我的勋章"),
    ("home.challenges", "我的挑战"),
    ("challenges.title", "挑战"),
    ("challenges.empty", "现在没有进行中的挑战。"),
    ("challenges.progress", "进度 {value} / {target}"),
    ("challenges.ends", "{date} 截止"),
    ("challenges.step", "阶段 {step}：{target}"),
    ("challenges.step_reached", "✓ 阶段 {step}：{target}"),
    ("challenges.join", "参加挑战"),
    ("challenges.joined", "已参加挑战，加油！"),
    ("challenges.status.not_joined", "未参加"),
    ("challenges.status.in_progress", "进行中"),
    ("challenges.status.completed", "已完成"),
    ("home.referral", "邀请有礼"),
    ("home.leaderboards", "排行榜"),
    ("home.offers", "为你推荐"),
    ("leaderboards.title", "排行榜"),
    ("leaderboards.none", "暂时没有排行榜。"),
    ("leaderboards.all", "全部排行榜"),
    ("leaderboards.top", "前 10 名"),
    ("leaderboards.nobody", "还没有人上榜。"),
    ("leaderboards.me", "我"),
    ("leaderboards.ranked", "上榜人数"),
    ("leaderboards.final", "最终排名"),
    ("leaderboards.last_final", "上期最终排名"),
    ("leaderboards.rank_score", "第 {rank} 名 · {score}"),
    ("leaderboards.unranked", "未上榜"),
    ("leaderboards.unit.points", "{n} 分"),
    ("leaderboards.unit.spend", "¥{n}"),
    ("leaderboards.unit.events", "{n} 次"),
    ("leaderboards.gap", "再得 {gap}即可进入前 {rank}"),
    ("leaderboards.gap_top", "再得 {gap}即可登上第 {rank} 名"),
    ("leaderboards.gap_spend", "再消费 {gap} 即可进入前 {rank}"),
    (
        "leaderboards.gap_spend_top",
        "再消费 {gap} 即可登上第 {rank} 名",
    ),
    ("leaderboards.prize", "您获得：{prize}"),
    ("leaderboards.prize_points", "{n} 积分"),
    ("leaderboards.prize_voucher", "优惠券「{title}」"),
    ("leaderboards.prize_badge", "勋章「{badge}」"),
    ("leaderboards.and", "、"),
    ("referral.title", "邀请好友"),
    (
        "referral.offer",
        "好友注册得 {friend} 积分；好友 {days} 天内首次消费满 {yuan} 元，您得 {referrer} 积分。",
    ),
    ("referral.code", "我的邀请码"),
    ("referral.link", "邀请链接"),
    ("referral.share_title", "送你一份见面礼"),
    (
        "referral.share_description",
        "用我的邀请码注册会员，一起攒积分。",
    ),
    ("referral.friends", "我邀请的好友"),
    ("referral.none", "还没有好友通过您的邀请加入。"),
    ("referral.boost", "邀请奖励：{factor} 倍积分，至 {date}"),
    ("referral.status.pending", "已注册，待首单"),
    ("referral.status.qualified", "已完成首单"),
    ("referral.status.rewarded", "已获奖励"),
    ("referral.status.capped", "超出奖励上限"),
    ("referral.status.clawed_back", "首单退款，奖励已扣回"),
    ("referral.status.rejected", "不符合邀请条件"),
    ("referral.join_offer", "注册会员即得 {points} 积分。"),
    ("referral.join_code", "邀请码"),
    (
        "referral.join_how",
        "在品牌小程序或门店注册会员时填写此邀请码。",
    ),
    ("profile.title", "我的资料"),
    (
        "profile.incomplete",
        "完善姓名、生日、性别和城市即完成资料。",
    ),
    ("profile.name", "姓名"),
    ("profile.birthday", "生日"),
    ("profile.birthday_once", "生日填写后不可自行修改。"),
    (
        "profile.birthday_locked",
        "生日已填写；如需更正，请联系客服。",
    ),
    ("profile.gender", "性别"),
    ("profile.choose", "请选择"),
    ("profile.female", "女"),
    ("profile.male", "男"),
    ("profile.other", "其他"),
    ("profile.city", "城市"),
    ("profile.save", "保存"),
    ("profile.saved", "资料已保存。"),
    ("profile.earned", "资料已保存，完善资料获得 {points} 积分！"),
    (
        "profile.bad_birthday",
        "生日格式不正确，请按 1990-05-17 的格式填写。资料未保存。",
    ),
    (
        "profile.bad_text",
        "姓名或城市过长或含有不可用的字符。资料未保存。",
    ),
    ("profile.refused", "资料未保存：{why}"),
    ("profile.phone", "手机号"),
    ("profile.phone_bound", "手机号由品牌验证后绑定。"),
    (
        "profile.phone_none",
        "尚未绑定手机号，请在品牌 App 或小程序中验证绑定。",
    ),
    (
        "profile.phone_offer",
        "品牌已验证您的手机号 {phone}，确认后绑定到会员账户。",
    ),
    ("profile.bind_phone", "绑定手机号"),
    ("profile.phone_bound_now", "手机号已绑定。"),
    (
        "profile.phone_taken",
        "该手机号已绑定其他会员，未作更改。请联系品牌客服。",
    ),
    (
        "profile.no_phone_to_bind",
        "没有待绑定的手机号：请在品牌 App 或小程序中验证后再打开。",
    ),
    ("gift.send_as_gift", "送给好友"),
    ("gift.send_title", "把卡券送给好友"),
    ("gift.message", "留言（选填）"),
    ("gift.message_hint", "祝你天天开心！"),
    ("gift.from", "署名（选填）"),
    ("gift.from_hint", "好友会看到这个名字；留空则显示为“好友”。"),
    ("gift.send", "生成赠送链接"),
    (
        "gift.send_note",
        "好友领取前，您可以随时收回；到期未领取会自动退回。",
    ),
    ("gift.back_to_voucher", "返回卡券"),
    ("gift.bad_from", "署名最多 20 个字，且不能含有换行等字符。"),
    ("gift.bad_message", "留言最多 200 个字。"),
    ("gift.unavailable", "这张卡券现在不能赠送或领取。"),
    ("gift.refused", "操作未成功：{why}"),
    ("gift.sent", "赠送链接已生成，发给好友即可。"),
    ("gift.link_title", "赠送链接"),
    ("gift.link_label", "链接"),
    ("gift.copy", "复制链接"),
    ("gift.copied", "已复制"),
    ("gift.deadline", "好友需在 {deadline} 前领取。"),
    (
        "gift.link_hint",
        "在微信中打开链接后，可通过右上角菜单发送给朋友。",
    ),
    ("gift.take_back", "收回赠送"),
    ("gift.taken_back", "已收回，卡券仍在您的卡包中。"),
    ("gift.nothing_to_take_back", "这张卡券没有等待领取的赠送。"),
    (
        "gift.not_portal_gift",
        "这份赠送不是在会员中心发出的，请在发出它的地方收回。",
    ),
    ("gift.a_friend", "好友"),
    ("gift.you", "您"),
    ("gift.og_title", "{from}送你一张{title}"),
    ("gift.og_description", "{gives}，点击领取。"),
    ("gift.from_label", "来自："),
    ("gift.open", "这份礼物等您领取。"),
    (
        "gift.app_first",
        "请先从品牌 App 或小程序打开会员中心，再打开此链接领取。",
    ),
    ("gift.own", "这是您送出的礼物，把链接发给好友即可。"),
    ("gift.yours", "已领取，卡券已放入您的卡包。"),
    ("gift.claimed", "这份礼物已被领取。"),
    ("gift.taken_back_page", "赠送者已收回这份礼物。"),
    ("gift.lapsed", "这份礼物已过期未领取，已退回给赠送者。"),
    ("gift.unknown", "找不到这份礼物，请确认链接完整。"),
    ("gift.not_claimed", "未能领取。"),
    ("gift.claim", "领取"),
    ("gift.claim_as", "领取到会员："),
    ("gift.guest_name", "您的称呼（选填）"),
    (
        "gift.guest_note",
        "领取后将为您开通会员，卡券放入您的卡包。",
    ),
    ("gift.open_wallet", "查看卡券"),
    ("tab.history", "明细"),
    ("history.title", "积分明细"),
    ("history.empty", "还没有积分记录。"),
    ("history.more", "更早的记录"),
    ("history.newest", "回到最新"),
    ("history.pending", "（{date} 到账）"),
    ("history.reason", "（{reason}）"),
    ("history.benefit", "等级礼遇赠送 {n} 积分"),
    ("history.badge", "勋章奖励 {n} 积分"),
    ("history.earn_order", "订单 {order} 获得 {n} 积分"),
    ("history.earn", "获得 {n} 积分"),
    ("history.clawback_order", "订单 {order} 退款扣回 {n} 积分"),
    ("history.clawback", "退款扣回 {n} 积分"),
    ("history.redeem_reward", "兑换 {title} -{n} 积分"),
    ("history.redeem_hold", "兑换 -{n} 积分"),
    ("history.redeem", "兑换 -{n} 积分"),
    ("history.adjust_up", "积分调整 +{n}"),
    ("history.adjust_down", "积分调整 -{n}"),
    ("history.hold", "冻结 {n} 积分"),
    ("history.release", "解冻 {n} 积分"),
    ("history.expire", "积分过期 -{n}"),
    ("history.write_off", "退款应扣 {n} 积分，因余额不足未扣"),
    ("history.repay", "偿还欠分 {n}"),
];

/// English.
pub const EN: &[(&str, &str)] = &[
    ("app.title", "Members"),
    ("tab.home", "Home"),
    ("tab.check_in", "Check in"),
    ("error.title", "Something went wrong"),
    ("error.link_title", "This link has expired"),
    (
        "error.link_spent",
        "This link was used already or has expired. To keep your account safe, a link opens once.",
    ),
    ("error.link_unknown", "This link is not valid."),
    ("error.session_title", "Your session has ended"),
    (
        "error.session_expired",
        "Your member portal session has expired or is not valid.",
    ),
    (
        "error.reopen",
        "Go back to the brand's app or mini-program and open the member portal again.",
    ),
    (
        "error.csrf",
        "This page expired or came from elsewhere: reload it and try again.",
    ),
    ("error.not_found", "There is no such page."),
    (
        "error.failed",
        "This could not be done just now. Please try again later.",
    ),
    ("home.available", "Points available"),
    ("home.pending", "{points} points on their way"),
    ("home.pending_on", "{points} points arrive on {date}"),
    ("home.expiring", "{points} points expire within 30 days"),
    ("home.expiring_on", "{points} points expire on {date}"),
    ("home.tier", "Tier"),
    ("home.tier_points", "Earn {n} more points to reach {tier}"),
    ("home.tier_spend", "Spend ¥{n} more to reach {tier}"),
    ("home.tier_meter", "Earn {n} more {meter} to reach {tier}"),
    ("home.tier_top", "You are at the highest tier"),
    ("home.checked_in", "Checked in today"),
    ("home.not_checked_in", "You have not checked in today"),
    ("home.check_in_now", "Check in"),
    ("home.streak", "{n}-day streak"),
    ("checkin.title", "Daily check-in"),
    ("checkin.button", "Check in"),
    ("checkin.done_today", "Checked in today"),
    ("checkin.streak", "{n}-day streak"),
    (
        "checkin.bonus",
        "Check in {n} more days to get {points} points",
    ),
    ("checkin.earned", "Checked in: you earned {points} points"),
    ("checkin.earned_nothing", "Checked in"),
    ("checkin.month", "{month}/{year}"),
    ("checkin.weekdays", "Mo Tu We Th Fr Sa Su"),
    ("checkin.today", "Today"),
    ("tab.rewards", "Rewards"),
    ("rewards.title", "Rewards"),
    ("rewards.available", "{points} points available"),
    ("rewards.now", "Redeem now"),
    ("rewards.later", "Not yet"),
    ("rewards.none", "Nothing to redeem right now."),
    ("rewards.cost", "{points} points"),
    ("rewards.left", "{n} left"),
    ("rewards.redeem", "Redeem"),
    ("rewards.confirm", "Confirm"),
    ("rewards.after", "{points} points left after this"),
    ("rewards.back", "Back to rewards"),
    (
        "rewards.refused",
        "This could not be redeemed; no points were taken.",
    ),
    ("rewards.redeemed", "You redeemed {title}"),
    (
        "rewards.spent",
        "{points} points spent, {available} points available",
    ),
    ("rewards.vouchers", "In your wallet:"),
    ("rewards.codes", "Your code:"),
    ("rewards.requested", "The brand will send you the gift."),
    ("rewards.to_wallet", "Open the wallet"),
    ("rewards.or", " or "),
    ("rewards.paused", "Paused for now"),
    ("rewards.opens_later", "Opens on {at}"),
    ("rewards.closed", "No longer available"),
    ("rewards.needs_tier", "For {tiers} members"),
    (
        "rewards.not_eligible",
        "You are not eligible for this reward",
    ),
    ("rewards.sold_out", "Out of stock"),
    ("rewards.limit", "Limit of {n} reached"),
    ("rewards.limit_per", "Limit of {n} a {period} reached"),
    ("rewards.per_day", "day"),
    ("rewards.per_week", "week"),
    ("rewards.per_month", "month"),
    ("rewards.per_year", "year"),
    ("rewards.too_many", "At most {n} at a time"),
    ("rewards.short", "{n} more points needed"),
    ("tab.wallet", "Wallet"),
    ("wallet.title", "My vouchers"),
    ("wallet.none", "No vouchers yet: redeem one in Rewards."),
    ("wallet.spent", "Used and expired"),
    ("wallet.valid_until", "Valid until {date}"),
    ("wallet.usable", "Ready to use"),
    ("wallet.reserved", "In use at checkout"),
    ("wallet.used", "Used"),
    ("wallet.gifted", "Given away"),
    ("wallet.not_yet_valid", "Valid from {date}"),
    ("wallet.expired", "Expired"),
    ("wallet.cancelled", "Cancelled"),
    ("wallet.qr", "QR code"),
    ("wallet.barcode", "Barcode"),
    ("wallet.back", "Back to the wallet"),
    ("wallet.given", "Given to friends"),
    (
        "wallet.given_line",
        "{title} · claimed by a friend on {date}",
    ),
    (
        "wallet.gift_waiting",
        "Offered to a friend: it comes back to you if unclaimed by {deadline}.",
    ),
    ("home.profile", "My profile"),
    ("home.notifications", "Notifications"),
    ("notifications.title", "Notifications"),
    (
        "notifications.intro",
        "Choose the reminders you want, and the channels they may reach you on. Every change is recorded with its time and source.",
    ),
    ("notifications.save", "Save"),
    (
        "notifications.saved",
        "Your notification choices are saved.",
    ),
    ("notifications.refused", "Not saved: {why}"),
    ("notifications.channel.wechat", "WeChat"),
    ("notifications.channel.sms", "SMS"),
    ("notifications.channel.push", "App push"),
    (
        "notifications.kind.points_expiring",
        "Points about to expire",
    ),
    (
        "notifications.kind.streak_at_risk",
        "Check-in streak about to break",
    ),
    (
        "notifications.kind.tier_requalification",
        "Keeping your tier",
    ),
    ("notifications.kind.birthday", "Birthday wishes and gift"),
    (
        "notifications.kind.voucher_expiring",
        "Vouchers about to expire",
    ),
    ("notifications.kind.gift_unclaimed", "Gifts not claimed yet"),
    (
        "notifications.help.points_expiring",
        "Before your points expire, a reminder to use them.",
    ),
    (
        "notifications.help.streak_at_risk",
        "When you have not checked in yet today.",
    ),
    (
        "notifications.help.tier_requalification",
        "Before your tier's review, what is still missing to keep it.",
    ),
    (
        "notifications.help.birthday",
        "Wishes and your birthday gift, before the day.",
    ),
    (
        "notifications.help.voucher_expiring",
        "Before a voucher of yours expires.",
    ),
    (
        "notifications.help.gift_unclaimed",
        "When a gift you sent or got is still unclaimed.",
    ),
    ("badges.title", "My badges"),
    (
        "badges.empty",
        "No badges yet. Check in, shop and review to earn them.",
    ),
    ("badges.progress", "Next badges"),
    ("badges.next", "{badge} · {level}: {value} / {target}"),
    ("badges.share_heading", "Badge earned"),
    ("badges.share_title", "I earned the {badge} · {level} badge"),
    (
        "badges.share_description",
        "A {brand} member badge, earned on {date}",
    ),
    ("badges.earned_on", "Earned on {date}"),
    ("badges.share_qr", "Scan to see this badge"),
    ("home.badges", "My badges"),
    ("home.challenges", "My challenges"),
    ("challenges.title", "Challenges"),
    ("challenges.empty", "No challenge is running now."),
    ("challenges.progress", "{value} / {target}"),
    ("challenges.ends", "ends {date}"),
    ("challenges.step", "Step {step}: {target}"),
    ("challenges.step_reached", "✓ Step {step}: {target}"),
    ("challenges.join", "Join the challenge"),
    ("challenges.joined", "You joined the challenge. Good luck!"),
    ("challenges.status.not_joined", "Not joined"),
    ("challenges.status.in_progress", "In progress"),
    ("challenges.status.completed", "Completed"),
    ("home.referral", "Invite friends"),
    ("home.leaderboards", "Leaderboards"),
    ("home.offers", "Picked for you"),
    ("leaderboards.title", "Leaderboards"),
    ("leaderboards.none", "No leaderboards yet."),
    ("leaderboards.all", "All leaderboards"),
    ("leaderboards.top", "Top 10"),
    ("leaderboards.nobody", "Nobody is ranked yet."),
    ("leaderboards.me", "Me"),
    ("leaderboards.ranked", "Ranked"),
    ("leaderboards.final", "Final standings"),
    ("leaderboards.last_final", "Last final standings:"),
    ("leaderboards.rank_score", "No. {rank} · {score}"),
    ("leaderboards.unranked", "Not ranked yet"),
    ("leaderboards.unit.points", "{n} points"),
    ("leaderboards.unit.spend", "¥{n}"),
    ("leaderboards.unit.events", "{n} times"),
    ("leaderboards.gap", "{gap} more to reach the top {rank}"),
    ("leaderboards.gap_top", "{gap} more to reach No. {rank}"),
    (
        "leaderboards.gap_spend",
        "Spend {gap} more to reach the top {rank}",
    ),
    (
        "leaderboards.gap_spend_top",
        "Spend {gap} more to reach No. {rank}",
    ),
    ("leaderboards.prize", "You won: {prize}"),
    ("leaderboards.prize_points", "{n} points"),
    ("leaderboards.prize_voucher", "the voucher “{title}”"),
    ("leaderboards.prize_badge", "the badge “{badge}”"),
    ("leaderboards.and", " and "),
    ("referral.title", "Invite friends"),
    (
        "referral.offer",
        "Your friend gets {friend} points on joining; you get {referrer} points when their first order of ¥{yuan} or more comes within {days} days.",
    ),
    ("referral.code", "My invitation code"),
    ("referral.link", "Invitation link"),
    ("referral.share_title", "A welcome gift for you"),
    (
        "referral.share_description",
        "Join with my code and collect points together.",
    ),
    ("referral.friends", "Friends I invited"),
    (
        "referral.none",
        "No friend has joined with your invitation yet.",
    ),
    (
        "referral.boost",
        "Invitation reward: {factor}× points until {date}",
    ),
    ("referral.status.pending", "Joined, first order to come"),
    ("referral.status.qualified", "First order made"),
    ("referral.status.rewarded", "Rewarded"),
    ("referral.status.capped", "Beyond the reward limit"),
    (
        "referral.status.clawed_back",
        "First order refunded, reward taken back",
    ),
    ("referral.status.rejected", "Not eligible"),
    ("referral.join_offer", "Join and get {points} points."),
    ("referral.join_code", "Invitation code"),
    (
        "referral.join_how",
        "Enter this code when you join in the brand's mini-program or in a store.",
    ),
    ("profile.title", "My profile"),
    (
        "profile.incomplete",
        "Fill in your name, birthday, gender and city to complete your profile.",
    ),
    ("profile.name", "Name"),
    ("profile.birthday", "Birthday"),
    (
        "profile.birthday_once",
        "Once saved, your birthday cannot be changed here.",
    ),
    (
        "profile.birthday_locked",
        "Your birthday is saved; to correct it, contact customer service.",
    ),
    ("profile.gender", "Gender"),
    ("profile.choose", "Choose"),
    ("profile.female", "Female"),
    ("profile.male", "Male"),
    ("profile.other", "Other"),
    ("profile.city", "City"),
    ("profile.save", "Save"),
    ("profile.saved", "Your profile is saved."),
    (
        "profile.earned",
        "Your profile is saved: completing it earned {points} points!",
    ),
    (
        "profile.bad_birthday",
        "The birthday is not a date like 1990-05-17. Nothing was saved.",
    ),
    (
        "profile.bad_text",
        "The name or city is too long or has characters that cannot be used. Nothing was saved.",
    ),
    ("profile.refused", "Nothing was saved: {why}"),
    ("profile.phone", "Phone number"),
    ("profile.phone_bound", "Verified and bound by the brand."),
    (
        "profile.phone_none",
        "No phone number yet: verify one in the brand's app or mini-program.",
    ),
    (
        "profile.phone_offer",
        "The brand verified your phone number {phone}. Confirm to bind it to your membership.",
    ),
    ("profile.bind_phone", "Bind this number"),
    ("profile.phone_bound_now", "Your phone number is bound."),
    (
        "profile.phone_taken",
        "This number is bound to another member; nothing was changed. Please contact the brand.",
    ),
    (
        "profile.no_phone_to_bind",
        "There is no number to bind: verify one in the brand's app or mini-program, then open this page again.",
    ),
    ("gift.send_as_gift", "Send as a gift"),
    ("gift.send_title", "Give this voucher to a friend"),
    ("gift.message", "Message (optional)"),
    ("gift.message_hint", "Have a lovely day!"),
    ("gift.from", "Your name as shown (optional)"),
    (
        "gift.from_hint",
        "Your friend sees this name; left empty, it says \"a friend\".",
    ),
    ("gift.send", "Make the gift link"),
    (
        "gift.send_note",
        "You can take it back until your friend claims it; unclaimed in time, it comes back to you.",
    ),
    ("gift.back_to_voucher", "Back to the voucher"),
    (
        "gift.bad_from",
        "The name is at most 20 characters, on one line.",
    ),
    ("gift.bad_message", "The message is at most 200 characters."),
    (
        "gift.unavailable",
        "This voucher cannot be given or claimed now.",
    ),
    ("gift.refused", "That did not work: {why}"),
    (
        "gift.sent",
        "Your gift link is ready: send it to your friend.",
    ),
    ("gift.link_title", "Gift link"),
    ("gift.link_label", "Link"),
    ("gift.copy", "Copy link"),
    ("gift.copied", "Copied"),
    (
        "gift.deadline",
        "Your friend has until {deadline} to claim it.",
    ),
    (
        "gift.link_hint",
        "In WeChat, open the link and send it to a friend from the menu at the top right.",
    ),
    ("gift.take_back", "Take the gift back"),
    (
        "gift.taken_back",
        "Taken back: the voucher is still in your wallet.",
    ),
    (
        "gift.nothing_to_take_back",
        "This voucher has no gift waiting for a friend.",
    ),
    (
        "gift.not_portal_gift",
        "This gift was not made in the member portal: take it back where it was made.",
    ),
    ("gift.a_friend", "A friend"),
    ("gift.you", "you"),
    ("gift.og_title", "{from} sent you a {title}"),
    ("gift.og_description", "{gives}: tap to claim it."),
    ("gift.from_label", "From: "),
    ("gift.open", "This gift is waiting for you."),
    (
        "gift.app_first",
        "Open the member portal from the brand's app or mini-program first, then open this link again to claim it.",
    ),
    ("gift.own", "This is your gift: send the link to a friend."),
    ("gift.yours", "Claimed: the voucher is in your wallet."),
    ("gift.claimed", "This gift has already been claimed."),
    ("gift.taken_back_page", "The sender took this gift back."),
    (
        "gift.lapsed",
        "This gift was not claimed in time and went back to its sender.",
    ),
    (
        "gift.unknown",
        "There is no such gift: check that the link is complete.",
    ),
    ("gift.not_claimed", "The gift was not claimed."),
    ("gift.claim", "Claim"),
    ("gift.claim_as", "Claiming as: "),
    ("gift.guest_name", "Your name (optional)"),
    (
        "gift.guest_note",
        "Claiming makes you a member; the voucher goes into your wallet.",
    ),
    ("gift.open_wallet", "See the voucher"),
    ("tab.history", "History"),
    ("history.title", "Points history"),
    ("history.empty", "No points yet."),
    ("history.more", "Older"),
    ("history.newest", "Newest"),
    ("history.pending", " (arrives on {date})"),
    ("history.reason", " ({reason})"),
    ("history.benefit", "Tier gift: {n} points"),
    ("history.badge", "Badge reward: {n} points"),
    ("history.earn_order", "Order {order} earned {n} points"),
    ("history.earn", "Earned {n} points"),
    (
        "history.clawback_order",
        "Refund of order {order} took back {n} points",
    ),
    ("history.clawback", "Refund took back {n} points"),
    ("history.redeem_reward", "Redeemed {title}: -{n} points"),
    ("history.redeem_hold", "Redeemed -{n} points"),
    ("history.redeem", "Redeemed -{n} points"),
    ("history.adjust_up", "Adjustment +{n} points"),
    ("history.adjust_down", "Adjustment -{n} points"),
    ("history.hold", "{n} points held"),
    ("history.release", "{n} held points released"),
    ("history.expire", "Points expired -{n}"),
    (
        "history.write_off",
        "A refund could not take back {n} points: they were let go",
    ),
    ("history.repay", "Repaid {n} owed points"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_in_english() {
        assert_eq!(
            fill(t(Lang::En, "checkin.earned"), &[("points", "1")]),
            "Checked in: you earned 1 point"
        );
        assert_eq!(
            fill(t(Lang::En, "checkin.earned"), &[("points", "12")]),
            "Checked in: you earned 12 points"
        );
        assert_eq!(
            fill(t(Lang::En, "history.redeem"), &[("n", "1")]),
            "Redeemed -1 point"
        );
        assert_eq!(fill("再签到 {n} 天", &[("n", "1")]), "再签到 1 天");
    }
    use std::collections::BTreeSet;

    #[test]
    fn both_languages_name_the_same_keys_once() {
        let zh: BTreeSet<_> = ZH.iter().map(|(k, _)| *k).collect();
        let en: BTreeSet<_> = EN.iter().map(|(k, _)| *k).collect();
        assert_eq!(zh.len(), ZH.len(), "a key twice in the Chinese table");
        assert_eq!(en.len(), EN.len(), "a key twice in the English table");
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "{only_zh:?} {only_en:?}"
        );
    }

    #[test]
    fn both_languages_have_the_same_holes() {
        let holes = |text: &str| -> BTreeSet<String> {
            text.split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}').map(|(h, _)| h.to_owned()))
                .collect()
        };
        for (key, zh) in ZH {
            let en = EN.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
            assert_eq!(Some(holes(zh)), en.map(holes), "{key}");
        }
    }

    /// Every `t("key")` of the portal's sources and templates is a key of the tables.
    #[test]
    fn every_used_key_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let keys: BTreeSet<_> = ZH.iter().map(|(k, _)| *k).collect();
        let mut missing = Vec::new();
        for dir in ["src/portal", "templates/portal"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("dir") {
                let path = entry.expect("entry").path();
                let text = std::fs::read_to_string(&path).expect("read");
                for (i, _) in text.match_indices("t(\"") {
                    if text[..i]
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    {
                        continue;
                    }
                    let body = &text[i + 3..];
                    let Some(end) = body.find('"') else { continue };
                    let key = &body[..end];
                    if key.contains('.') && !key.contains(' ') && !keys.contains(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys without text: {missing:#?}");
    }

    #[test]
    fn holes_are_filled() {
        assert_eq!(
            fill(t(Lang::Zh, "checkin.bonus"), &[("n", "2"), ("points", "7")]),
            "再签到 2 天得 7 积分"
        );
        assert_eq!(
            fill(t(Lang::Zh, "home.expiring"), &[("points", "120")]),
            "30 天内将过期 120 积分"
        );
    }
}
