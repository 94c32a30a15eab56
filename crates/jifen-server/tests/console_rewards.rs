//! The console's rewards page over HTTP, on SQLite and PostgreSQL: a marketer signs in, builds
//! a catalog item with an uploaded image (served from its content-addressed URL with cache
//! headers; oversize and non-image uploads refused with nothing stored), edits a ladder voucher
//! template with its live preview, generates, imports and exports codes, and simulates a
//! checkout; a viewer sees no edit controls and a forced write answers 403 and changes nothing.

mod common;

use common::{TestApp, TestBackend};
use jifen_store::console::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

jifen_store::backend_tests! {
    a_catalog_item_gets_an_uploaded_image => super::a_catalog_item_gets_an_uploaded_image;
    ladder_preview_codes_and_checkout => super::ladder_preview_codes_and_checkout;
    a_viewer_sees_no_edit_controls => super::a_viewer_sees_no_edit_controls;
}

/// A signed-in browser: its cookies and CSRF token.
struct Browser {
    base: String,
    client: reqwest::Client,
    cookie: String,
    csrf: String,
}

/// An answer: status, headers and body text.
struct Page {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    text: String,
}

async fn sign_in(app: &TestApp, email: &str, role: Role) -> Browser {
    let s = common::console::sign_in_as(app, email, role).await;
    Browser {
        base: app.base.clone(),
        client: common::console::client(),
        cookie: s.cookie,
        csrf: s.csrf,
    }
}

impl Browser {
    async fn send(&self, req: reqwest::RequestBuilder) -> Page {
        let res = req.header("cookie", &self.cookie).send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        Page {
            status,
            headers,
            text: res.text().await.unwrap_or_default(),
        }
    }

    async fn get(&self, path: &str) -> Page {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    fn english(mut self) -> Browser {
        self.cookie.push_str("; jifen_lang=en");
        self
    }

    /// A form POST with the CSRF token.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        all.extend_from_slice(fields);
        self.send(
            self.client
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(&all).unwrap()),
        )
        .await
    }

    /// An htmx POST: the token in the header, as console.js sends it.
    async fn htmx(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.send(
            self.client
                .post(format!("{}{path}", self.base))
                .header("hx-request", "true")
                .header("x-csrf-token", &self.csrf)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(fields).unwrap()),
        )
        .await
    }

    /// A multipart upload of one file, the token in the action URL as the form puts it.
    async fn upload(&self, path: &str, name: &str, content_type: &str, bytes: &[u8]) -> Page {
        let boundary = "jifen-test-boundary-7d93";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                 filename=\"upload\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            self.client
                .post(format!("{}{path}?csrf={}", self.base, self.csrf))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body),
        )
        .await
    }
}

/// A small real PNG (1×1, one red pixel).
fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(&[
        0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77,
        0x53, 0xde, 0, 0, 0, 12, b'I', b'D', b'A', b'T', 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0, 0,
        0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae,
        0x42, 0x60, 0x82,
    ]);
    b
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn rows(app: &TestApp) -> std::collections::BTreeMap<String, Vec<String>> {
    jifen_store::testkit::table_rows(app.database_url()).await
}

async fn a_catalog_item_gets_an_uploaded_image(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let m = sign_in(&app, "mei@brand.cn", Role::Marketer).await;

    // Create the item through the console's form.
    let page = m
        .post(
            "/console/rewards/items",
            &[
                ("id", "mug"),
                ("kind", "physical"),
                ("shipping", "on"),
                ("title_zh", "马克杯"),
                ("title_en", "Mug"),
                ("cost", "500"),
                ("tier_costs", "gold=400"),
                ("stock", "10"),
                ("lifetime", "3"),
                ("period_count", "1"),
                ("period_every", "month"),
                ("per_redemption", "1"),
                ("early_access", "gold=24"),
                ("available_from", "2026-06-10T20:00"),
                ("available_until", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert_eq!(
        page.headers["location"],
        "/console/rewards/items/mug?saved=1"
    );
    let r = app.get("/v1/rewards/mug").await;
    assert_eq!(r.status, StatusCode::OK);
    let spec = &r.body["reward"];
    assert_eq!(spec["cost_by_tier"], json!({"gold": 400}));
    assert_eq!(spec["early_access"], json!({"gold": 24}));
    assert_eq!(
        spec["limits"]["per_period"],
        json!({"count": 1, "every": "month"})
    );
    // 20:00 in Shanghai.
    assert_eq!(spec["available_from"], "2026-06-10T12:00:00Z");
    assert!(r.body.get("image_url").is_none());

    // A bad value comes back beside its field, nothing saved.
    let before = rows(&app).await;
    let page = m
        .post(
            "/console/rewards/items",
            &[
                ("id", "cap"),
                ("kind", "physical"),
                ("title_en", "Cap"),
                ("cost", "lots"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text.contains("请填写整数"), "{}", page.text);
    assert_eq!(rows(&app).await, before);

    // Upload a PNG through the console's form.
    let bytes = png();
    let page = m
        .upload(
            "/console/rewards/items/mug/image",
            "image",
            "image/png",
            &bytes,
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    let url = format!("/media/{}/{}.png", app.program_id, sha(&bytes));
    let page = m.get("/console/rewards/items/mug").await;
    assert!(
        page.text
            .contains(&format!("id=\"item-image\" src=\"{url}\"")),
        "{}",
        page.text
    );
    let page = m.get("/console/rewards").await;
    assert!(
        page.text.contains(&format!("<img src=\"{url}\"")),
        "{}",
        page.text
    );
    assert_eq!(app.get("/v1/rewards/mug").await.body["image_url"], url);

    // The media URL serves the bytes, public and immutable.
    let res = reqwest::get(format!("{}{url}", app.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(h["etag"], format!("\"{}\"", sha(&bytes)).as_str());
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);
    let res = app
        .client
        .get(format!("{}{url}", app.base))
        .header("if-none-match", format!("\"{}\"", sha(&bytes)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let wrong = format!("/media/{}/{}.png", app.program_id, sha(b"other"));
    let res = reqwest::get(format!("{}{wrong}", app.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Too large, or not an image: refused with a clear error, nothing stored.
    let before = rows(&app).await;
    let mut big = png();
    big.resize(600 * 1024, 0);
    let page = m
        .upload(
            "/console/rewards/items/mug/image",
            "image",
            "image/png",
            &big,
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text.contains("图片未保存"), "{}", page.text);
    assert!(
        page.text
            .contains("the image is 600 KiB; an image is at most 512 KiB"),
        "{}",
        page.text
    );
    let page = m
        .upload(
            "/console/rewards/items/mug/image",
            "image",
            "image/png",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text
            .contains("the file is not a PNG, JPEG, WebP or GIF image"),
        "{}",
        page.text
    );
    assert_eq!(rows(&app).await, before);
    assert_eq!(app.get("/v1/rewards/mug").await.body["image_url"], url);

    // The API route takes an image with an API key; its type is told by its bytes.
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    let put = |path: &str, ct: &str, body: Vec<u8>| {
        app.client
            .put(format!("{}{path}", app.base))
            .bearer_auth(&app.key)
            .header("content-type", ct.to_owned())
            .body(body)
            .send()
    };
    let res = put("/v1/rewards/mug/image", "image/gif", gif.clone())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let gif_url = format!("/media/{}/{}.gif", app.program_id, sha(&gif));
    assert_eq!(body["image_url"], gif_url);
    let res = reqwest::get(format!("{}{gif_url}", app.base))
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/gif");
    let res = put(
        "/v1/rewards/mug/image",
        "image/png",
        b"\xff\xd8\xff\xe0jfif".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "image");
    assert_eq!(
        body["error"]["message"],
        "the file is image/jpeg but was sent as image/png"
    );
    let res = put("/v1/rewards/nothing/image", "image/gif", gif)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// The ladder of the brief: ¥30 off ¥199, ¥50 off ¥399, in the form's fields.
const LADDER: &[(&str, &str)] = &[
    ("kind", "ladder"),
    ("rung_min_0", "199"),
    ("rung_off_0", "30"),
    ("rung_min_1", "399"),
    ("rung_off_1", "50"),
    ("max_uses", "1"),
    ("combinable", "on"),
    ("giftable", "on"),
];

fn codes_in(text: &str, id: &str) -> Vec<String> {
    let marker = format!("<pre id=\"{id}\">");
    let start = text.find(&marker).expect(id) + marker.len();
    let end = start + text[start..].find("</pre>").unwrap();
    text[start..end]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn ladder_preview_codes_and_checkout(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let m = sign_in(&app, "mei@brand.cn", Role::Marketer).await;

    let mut fields = vec![
        ("id", "manjian"),
        ("title_zh", "满减券"),
        ("title_en", "Spend and save"),
    ];
    fields.extend_from_slice(LADDER);
    let page = m.post("/console/rewards/templates", &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    let t = app.get("/v1/voucher-templates/manjian").await;
    assert_eq!(
        t.body["template"]["discount"],
        json!({"kind": "ladder", "rungs": [{"min_spend": 19_900, "off": 3_000},
                                           {"min_spend": 39_900, "off": 5_000}]})
    );

    // The live preview, as htmx asks for it while the marketer types.
    let mut preview = LADDER.to_vec();
    preview.push(("cart", "350"));
    let page = m.htmx("/console/rewards/templates/preview", &preview).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.starts_with("<div id=\"ladder-preview\""),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("<strong>¥350 的订单：减 ¥30；再买 ¥49 可减 ¥50</strong>"),
        "{}",
        page.text
    );
    let en = sign_in(&app, "ann@brand.cn", Role::Marketer)
        .await
        .english();
    let page = en
        .htmx("/console/rewards/templates/preview", &preview)
        .await;
    assert!(
        page.text
            .contains("<strong>a ¥350 cart: ¥30 off; spend ¥49 more for ¥50 off</strong>"),
        "{}",
        page.text
    );
    // Without JavaScript: the preview button posts the form and gets the whole editor back.
    let mut plain = vec![("id", "manjian")];
    plain.extend_from_slice(&preview);
    let page = en.post("/console/rewards/templates/preview", &plain).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("<html"), "a full page");
    assert!(
        page.text
            .contains("a ¥350 cart: ¥30 off; spend ¥49 more for ¥50 off")
    );
    // The saved template's page opens with the preview of a ¥350 cart.
    let page = m.get("/console/rewards/templates/manjian").await;
    assert!(page.text.contains("¥350 的订单：减 ¥30；再买 ¥49 可减 ¥50"));
    assert!(
        page.text
            .contains("hx-trigger=\"input changed delay:300ms\"")
    );
    assert!(
        page.text
            .contains("hx-get=\"/console/history/voucher_template/manjian\"")
    );
    assert!(
        page.text
            .contains("/console/audit?object_kind=voucher_template&amp;object_id=manjian")
    );

    // Generate a batch with a prefix.
    let page = m
        .post(
            "/console/rewards/templates/manjian/codes",
            &[("form_id", "batch-1"), ("count", "5"), ("prefix", "MJ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let batch = codes_in(&page.text, "batch-codes");
    assert_eq!(batch.len(), 5);
    assert!(batch.iter().all(|c| c.starts_with("MJ")), "{batch:?}");
    // A double submit of the same form is a replay: the same codes, no more.
    let again = m
        .post(
            "/console/rewards/templates/manjian/codes",
            &[("form_id", "batch-1"), ("count", "5"), ("prefix", "MJ")],
        )
        .await;
    assert_eq!(codes_in(&again.text, "batch-codes"), batch);

    // Import a CSV pasted in the form.
    let page = m
        .upload(
            "/console/rewards/templates/manjian/import",
            "text",
            "text/plain",
            format!("code\nSHOP2026A\n{}\n", batch[0]).as_bytes(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(codes_in(&page.text, "batch-codes"), vec!["SHOP2026A"]);
    assert_eq!(
        codes_in(&page.text, "duplicate-codes"),
        vec![batch[0].clone()]
    );

    // Export: the console's link and the API answer the same CSV.
    let page = m.get("/console/rewards/templates/manjian/codes.csv").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let lines: Vec<&str> = page.text.lines().collect();
    assert_eq!(
        lines[0],
        "code,member,max_uses,uses,status,valid_until,issued_at"
    );
    assert_eq!(lines.len(), 7, "{}", page.text);
    for c in batch.iter().chain([&"SHOP2026A".to_owned()]) {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{c},,1,0,active"))),
            "{c}"
        );
    }
    let res = app
        .client
        .get(format!("{}/v1/voucher-templates/manjian/codes", app.base))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), page.text);

    // The checkout simulator: a ¥350 cart with one of the codes.
    let page = en
        .post(
            "/console/rewards/checkout",
            &[
                ("sku_0", "tea"),
                ("category_0", "drinks"),
                ("price_0", "150"),
                ("quantity_0", "1"),
                ("sku_1", "cup"),
                ("price_1", "100"),
                ("quantity_1", "2"),
                ("vouchers", &format!("{}, NOSUCHCODE", batch[1])),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text
            .contains("<strong id=\"checkout-total\">¥320</strong>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("−¥30"));
    assert!(page.text.contains("spend ¥49 more for ¥50 off"));
    assert!(page.text.contains("no voucher has this code") || page.text.contains("NOSUCHCODE"));
    // A bad price is shown on its line.
    let page = en
        .post(
            "/console/rewards/checkout",
            &[("sku_0", "tea"), ("price_0", "a lot"), ("quantity_0", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text.contains("Type an amount in yuan"));
}

async fn a_viewer_sees_no_edit_controls(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/voucher-templates/manjian",
            json!({"title": {"zh-CN": "满减券"}, "discount": {"kind": "ladder", "rungs": [
                {"min_spend": 19_900, "off": 3_000}, {"min_spend": 39_900, "off": 5_000}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app
        .put(
            "/v1/rewards/mug",
            json!({"kind": "physical", "title": {"zh-CN": "马克杯"}, "cost": 500, "stock": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = sign_in(&app, "view@brand.cn", Role::Viewer).await;

    let page = v.get("/console/rewards").await;
    assert!(page.text.contains("马克杯") && page.text.contains("manjian"));
    assert!(
        page.text.contains("满 ¥199 减 ¥30，满 ¥399 减 ¥50"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("/console/rewards/items/new"));
    for path in [
        "/console/rewards/items/mug",
        "/console/rewards/templates/manjian",
    ] {
        let page = v.get(path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.text.contains("type=\"submit\" class=\"primary\""),
            "{path}"
        );
        assert!(!page.text.contains("multipart/form-data"), "{path}");
        assert!(page.text.contains("<fieldset disabled>"), "{path}");
        assert!(page.text.contains("你的角色只能查看"), "{path}");
    }
    assert_eq!(
        v.get("/console/rewards/items/new").await.status,
        StatusCode::FORBIDDEN
    );

    // Forced writes: 403, and nothing changes.
    let before = rows(&app).await;
    let page = v
        .post(
            "/console/rewards/items",
            &[
                ("id", "mug"),
                ("kind", "physical"),
                ("title_en", "Free mug"),
                ("cost", "0"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = v
        .upload(
            "/console/rewards/items/mug/image",
            "image",
            "image/png",
            &png(),
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = v
        .post(
            "/console/rewards/templates/manjian/codes",
            &[("form_id", "b-1"), ("count", "3")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let mut fields = vec![("id", "manjian"), ("title_zh", "改了")];
    fields.extend_from_slice(LADDER);
    let page = v.post("/console/rewards/templates", &fields).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(rows(&app).await, before);
    // A simulation changes nothing, so a viewer may run one.
    let page = v
        .post(
            "/console/rewards/checkout",
            &[("sku_0", "tea"), ("price_0", "350"), ("quantity_0", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("¥350"));
    assert_eq!(rows(&app).await, before);
}
