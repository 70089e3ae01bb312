//! The OpenAPI 3.1 document served at `/api/openapi.json`.
//!
//! The schemas of forms, findings, totals, request bodies and answers are derived from the
//! types themselves (schemars, the domain's `schema` feature), so they cannot drift from
//! what the server reads and writes; the operations are listed here, and `tests/api.rs`
//! checks that every documented operation is a route of [`crate::router`] and is covered
//! by the authorisation matrix; the tests below that every `$ref` resolves.

use serde_json::{json, Value};

/// (method, path) of every operation, in document order.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/api/openapi.json"),
    ("post", "/api/login"),
    ("post", "/api/logout"),
    ("get", "/api/dossiers"),
    ("post", "/api/dossiers"),
    ("get", "/api/dossiers/{id}"),
    ("put", "/api/dossiers/{id}"),
    ("delete", "/api/dossiers/{id}"),
    ("get", "/api/todo"),
    ("post", "/api/todo/read"),
    ("get", "/api/progress"),
    ("get", "/api/stats"),
    ("post", "/api/progress/remind"),
    ("put", "/api/progress/deadline"),
    ("post", "/api/dossiers/{id}/reimport"),
    ("post", "/api/dossiers/{id}/submit"),
    ("post", "/api/dossiers/{id}/withdraw"),
    ("post", "/api/dossiers/{id}/return"),
    ("post", "/api/dossiers/{id}/approve"),
    ("post", "/api/dossiers/{id}/comments"),
    ("post", "/api/dossiers/{id}/comments/{cid}/resolve"),
    ("get", "/api/dossiers/{id}/history"),
    ("post", "/api/dossiers/create"),
    ("post", "/api/dossiers/{id}/copy"),
    ("post", "/api/check"),
    ("post", "/api/preview"),
    ("post", "/api/exports"),
    ("post", "/api/publications"),
    ("delete", "/api/publications"),
    ("get", "/api/jobs/{id}"),
    ("get", "/api/dossiers/{id}/reports"),
    ("post", "/api/dossiers/{id}/reports"),
    ("get", "/api/reports/{id}"),
    ("put", "/api/reports/{id}"),
    ("post", "/api/reports/{id}/submit"),
    ("post", "/api/reports/{id}/return"),
    ("post", "/api/reports/{id}/approve"),
    ("post", "/api/rounds"),
    ("get", "/api/monitoring"),
    ("get", "/api/self-evaluations"),
    ("get", "/api/library/suggest"),
    ("get", "/api/library/similar"),
    ("get", "/api/library"),
    ("post", "/api/library/edits"),
];

fn err(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn body(schema: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema } } })
}

fn ok(desc: &str, schema: Value) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": schema } } })
}

/// Responses every dossier operation can give besides its success.
fn dossier_errors(extra: &[(&str, &str)]) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("401".into(), err("未登录或登录已过期"));
    m.insert(
        "404".into(),
        err("档案不存在，或当前账号无权查看（不区分两者）"),
    );
    for (code, desc) in extra {
        m.insert((*code).into(), err(desc));
    }
    m
}

fn with(mut m: serde_json::Map<String, Value>, code: &str, v: Value) -> Value {
    m.insert(code.into(), v);
    Value::Object(m)
}

fn id_param() -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }])
}

/// The schemas of `components`: derived from the types (their `$ref`s point here), plus
/// the error body every failure shares.
fn schemas() -> Value {
    use crate::api::{
        ApproveRequest, CheckRequest, CommentRequest, CopyRequest, CreateRequest, LoginRequest,
        ReturnRequest, SaveRequest, SubmitRequest,
    };
    let mut g = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    g.subschema_for::<jixiao_domain::Form>();
    g.subschema_for::<jixiao_domain::Finding>();
    g.subschema_for::<jixiao_domain::totals::FormTotals>();
    g.subschema_for::<crate::services::DossierSummary>();
    g.subschema_for::<crate::services::Saved>();
    g.subschema_for::<crate::services::Reimported>();
    g.subschema_for::<crate::services::Todo>();
    g.subschema_for::<crate::services::Progress>();
    g.subschema_for::<crate::api::RemindRequest>();
    g.subschema_for::<jixiao_domain::library::Edit>();
    g.subschema_for::<crate::api::DeadlineRequest>();
    g.subschema_for::<crate::services::Transitioned>();
    g.subschema_for::<LoginRequest>();
    g.subschema_for::<SaveRequest>();
    g.subschema_for::<CheckRequest>();
    g.subschema_for::<CreateRequest>();
    g.subschema_for::<CopyRequest>();
    g.subschema_for::<SubmitRequest>();
    g.subschema_for::<ReturnRequest>();
    g.subschema_for::<ApproveRequest>();
    g.subschema_for::<CommentRequest>();
    g.subschema_for::<crate::api::ResolveRequest>();
    g.subschema_for::<crate::services::jobs::ExportRequest>();
    g.subschema_for::<crate::services::jobs::JobView>();
    g.subschema_for::<crate::services::public::PublicationRequest>();
    g.subschema_for::<crate::services::reports::NewReportRequest>();
    g.subschema_for::<crate::services::reports::RoundRequest>();
    let mut defs = g.take_definitions(true);
    defs.insert(
        "Error".into(),
        json!({ "type": "object", "required": ["error"], "properties": {
            "error": { "type": "string" },
            "current_version": { "type": "integer" },
            "existing_id": { "type": "integer", "description": "409：该单位该年度已有的档案" },
            "findings": { "type": "array", "items": { "$ref": "#/components/schemas/Finding" } } } }),
    );
    Value::Object(defs)
}

const CSRF: &str = "需要请求头 X-CSRF-Token（登录返回的 csrf_token）";

pub fn document() -> Value {
    let r = |s: &str| json!({ "$ref": format!("#/components/schemas/{s}") });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "jixiao 预算绩效目标 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "登录后以会话 Cookie 访问；所有修改类请求需要请求头 X-CSRF-Token。错误统一为 {\"error\": \"…\"}。"
        },
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE },
                "csrf": { "type": "apiKey", "in": "header", "name": "X-CSRF-Token" }
            },
            "schemas": schemas()
        },
        "security": [{ "session": [] }],
        "paths": {
            "/healthz": { "get": { "summary": "健康检查（检查数据库连接）", "security": [],
                "responses": { "200": ok("正常", json!({ "type": "object" })), "503": err("数据库不可用") } } },
            "/api/openapi.json": { "get": { "summary": "本文档", "security": [],
                "responses": { "200": ok("OpenAPI 文档", json!({ "type": "object" })) } } },
            "/api/login": { "post": { "summary": "登录", "security": [],
                "description": "只接受 Content-Type: application/json；浏览器发来的请求须来自本站（请求头 Origin 或 Referer），不带这两个请求头的程序客户端可以登录。登录失败按用户名（不论来源地址）和来源地址分别退避等待；曾在本浏览器登录成功的用户（jixiao_device Cookie）不受他人猜密码影响。",
                "requestBody": body(r("LoginRequest")),
                "responses": {
                    "200": ok("已登录；会话 Cookie 为 HttpOnly、SameSite=Strict（https 时加 Secure），首次登录的浏览器另得 jixiao_device Cookie", json!({ "type": "object",
                        "properties": { "csrf_token": { "type": "string" }, "expires_at": { "type": "integer" } } })),
                    "400": err("不是有效的 JSON"), "401": err("用户名或密码错误，或账号已停用"),
                    "403": err("登录请求来自其他网站（Origin/Referer 与本站不符）"),
                    "415": err("请求不是 application/json"),
                    "422": err("字段不符合要求"),
                    "429": err("登录失败次数过多，需等待（响应头 Retry-After 为秒数）") } } },
            "/api/logout": { "post": { "summary": "退出登录", "description": CSRF,
                "responses": { "200": ok("已退出", json!({ "type": "object" })),
                    "401": err("未登录"), "403": err("CSRF 令牌错误") } } },
            "/api/dossiers": {
                "get": { "summary": "当前账号可见的档案",
                    "parameters": [
                        { "name": "year", "in": "query", "schema": { "type": "integer" } },
                        { "name": "status", "in": "query", "description": "逗号分隔的状态", "schema": { "type": "string" } },
                        { "name": "unit", "in": "query", "description": "只看该单位（id）；不在本账号可见范围内时结果为空",
                            "schema": { "type": "integer" } },
                        { "name": "q", "in": "query",
                            "description": "搜索单位名称、表名、项目与专项名称、绩效目标、部门职责、重点工作（忽略空格、全半角、繁简和大小写；% 和 _ 按原字符匹配）",
                            "schema": { "type": "string", "maxLength": 100 } },
                        { "name": "order", "in": "query",
                            "description": "recent：最近修改在前（默认）；quality：错误多的在前，其次警告多的",
                            "schema": { "enum": ["recent", "quality"] } },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 500 } },
                        { "name": "offset", "in": "query", "schema": { "type": "integer" } } ],
                    "responses": { "200": ok("一页档案", json!({ "type": "object", "properties": {
                        "items": { "type": "array", "items": r("DossierSummary") }, "total": { "type": "integer" } } })),
                        "400": err("查询参数有误"), "401": err("未登录") } },
                "post": { "summary": "上传文件建立档案（本单位、文件所属年度）", "description": CSRF,
                    "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                        "type": "object", "required": ["file"], "properties": {
                            "file": { "type": "string", "format": "binary", "description": ".txt/.docx/.xlsx/.xls/.html" },
                            "unit": { "type": "string", "description": "单位名称（仅管理员）" } } } } } },
                    "responses": { "201": ok("已建立", r("Saved")), "400": err("不是 multipart 请求"),
                        "401": err("未登录"), "403": err("无权上传或 CSRF 令牌错误"),
                        "409": err("该单位该年度的档案已存在"), "413": err("文件过大"),
                        "422": err("文件不是绩效目标表或无法导入") } } },
            "/api/dossiers/{id}": {
                "get": { "summary": "档案：表单、审核发现、状态、版本、意见、审核记录", "parameters": id_param(),
                    "responses": with(dossier_errors(&[]), "200", ok("档案", json!({ "allOf": [r("DossierSummary"), { "type": "object", "properties": {
                        "forms": { "type": "array", "items": r("Form") },
                        "findings": { "type": "array", "items": r("Finding") },
                        "comments": { "type": "array" }, "reviews": { "type": "array" } } }] }))) },
                "put": { "summary": "保存新版本（重新审核规则）", "description": CSRF, "parameters": id_param(),
                    "requestBody": body(r("SaveRequest")),
                    "responses": with(dossier_errors(&[("400", "不是有效的 JSON"), ("403", "无权修改或 CSRF 令牌错误"),
                        ("409", "base_version 已过期：提交的内容另存为冲突版本，返回 current_version"),
                        ("413", "请求内容过大（上限为单个档案上限加 64 KiB）或档案内容超过单个档案上限"), ("422", "内容不符合要求、没有任何表或当前状态不可修改")]), "200", ok("新版本", r("Saved"))) },
                "delete": { "summary": "删除草稿（单位）：档案从列表中消失、该年度可重新新建；管理员可在账号管理页恢复", "description": CSRF, "parameters": id_param(),
                    "requestBody": { "required": false, "content": { "application/json": { "schema": r("SubmitRequest") } } },
                    "responses": with(dossier_errors(&[("403", "无权删除或 CSRF 令牌错误"), ("409", "档案已被他人修改"),
                        ("422", "不是草稿（待审核的请先撤回）")]), "200", ok("已删除", json!({ "type": "object", "properties": { "deleted": { "type": "integer" } } }))) } },
            "/api/dossiers/{id}/submit": { "post": { "summary": "提交审核", "description": CSRF, "parameters": id_param(),
                "requestBody": { "required": false, "content": { "application/json": { "schema": r("SubmitRequest") } } },
                "responses": with(dossier_errors(&[("403", "无权提交或 CSRF 令牌错误"), ("409", "档案已被他人修改"),
                    ("422", "仍有错误级审核发现（findings 列出）或当前状态不可提交")]), "200", ok("已提交", r("DossierSummary"))) } },
            "/api/dossiers/{id}/withdraw": { "post": { "summary": "撤回提交（单位）：审核人员尚未审核、也未对本版提意见时回到草稿", "description": CSRF, "parameters": id_param(),
                "requestBody": { "required": false, "content": { "application/json": { "schema": r("SubmitRequest") } } },
                "responses": with(dossier_errors(&[("403", "无权撤回或 CSRF 令牌错误"), ("409", "档案已被他人修改"),
                    ("422", "不是待审核状态，或审核人员已提出意见")]), "200", ok("已撤回", r("DossierSummary"))) } },
            "/api/dossiers/{id}/return": { "post": { "summary": "退回修改（审核人员）", "description": CSRF, "parameters": id_param(),
                "requestBody": body(r("ReturnRequest")),
                "responses": with(dossier_errors(&[("403", "无权审核、本单位的档案（审核与填报须分离）或 CSRF 令牌错误"), ("409", "档案已被他人修改"),
                    ("422", "缺少退回意见或当前状态不可退回")]), "200", ok("已退回", r("DossierSummary"))) } },
            "/api/dossiers/{id}/approve": { "post": { "summary": "审核（优/良 通过，中/差 退回）", "description": CSRF, "parameters": id_param(),
                "requestBody": body(r("ApproveRequest")),
                "responses": with(dossier_errors(&[("403", "无权审核、本单位的档案（审核与填报须分离）或 CSRF 令牌错误"), ("409", "档案已被他人修改"),
                    ("422", "审核意见不完整或当前状态不可审核")]), "200", ok("已审核", r("DossierSummary"))) } },
            "/api/dossiers/{id}/comments": { "post": { "summary": "对字段（或整个档案）提出意见", "description": CSRF, "parameters": id_param(),
                "requestBody": body(r("CommentRequest")),
                "responses": with(dossier_errors(&[("403", "CSRF 令牌错误"), ("422", "内容为空或过长")]), "201", ok("已添加", json!({ "type": "object" }))) } },
            "/api/dossiers/{id}/history": { "get": { "summary": "全部版本（含冲突另存版本）", "parameters": id_param(),
                "responses": with(dossier_errors(&[]), "200", ok("版本列表", json!({ "type": "object", "properties": {
                    "current_version": { "type": "integer" }, "versions": { "type": "array" } } }))) } },
            "/api/dossiers/create": { "post": { "summary": "由表单新建档案（上传预览后保存，或空白表）", "description": CSRF,
                "requestBody": body(r("CreateRequest")),
                "responses": { "201": ok("已建立", r("Saved")), "400": err("不是有效的 JSON"), "401": err("未登录"),
                    "403": err("无权新建、填报单位指定了 unit 或 CSRF 令牌错误"),
                    "409": err("该单位该年度的档案已存在（existing_id 为已有档案）"), "413": err("请求内容过大"),
                    "422": err("金额格式有误（说明指出表和字段）、年度无效、没有表或单位不存在") } } },
            "/api/dossiers/{id}/copy": { "post": { "summary": "复制为另一年度的新档案（深拷贝当前版本，重新审核）", "description": CSRF,
                "parameters": id_param(),
                "requestBody": body(r("CopyRequest")),
                "responses": with(dossier_errors(&[("403", "无权复制或 CSRF 令牌错误"),
                    ("409", "该单位该年度的档案已存在（existing_id 为已有档案）"), ("422", "年度无效")]),
                    "201", ok("已建立", r("Saved"))) } },
            "/api/check": { "post": { "summary": "检查未保存的表单（不写数据库）：审核发现与合计", "description": CSRF,
                "requestBody": body(r("CheckRequest")),
                "responses": { "200": ok("审核发现与各表合计", json!({ "type": "object", "properties": {
                        "findings": { "type": "array", "items": r("Finding") },
                        "totals": { "type": "array", "items": r("FormTotals") } } })),
                    "400": err("不是有效的 JSON"), "401": err("未登录"), "403": err("CSRF 令牌错误"),
                    "413": err("请求内容过大"), "422": err("金额格式有误（说明指出表和字段）或内容不符合要求") } } },
            "/api/preview": { "post": { "summary": "读取上传文件但不保存：表单、全部导入提示与审核发现", "description": CSRF,
                "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                    "type": "object", "required": ["file"], "properties": {
                        "file": { "type": "string", "format": "binary", "description": ".txt/.docx/.xlsx/.xls/.html" } } } } } },
                "responses": { "200": ok("读取结果（无法读取时 status 为 error，error 说明原因）", json!({ "type": "object", "properties": {
                        "file": { "type": "string" }, "status": { "enum": ["ok", "error"] },
                        "error": { "type": "string" },
                        "forms": { "type": "array", "items": r("Form") },
                        "findings": { "type": "array", "items": r("Finding") },
                        "totals": { "type": "array", "items": r("FormTotals") },
                        "year": { "type": ["integer", "null"] }, "unit": { "type": "string" } } })),
                    "400": err("不是 multipart 请求"), "401": err("未登录"),
                    "403": err("无权上传或 CSRF 令牌错误"), "413": err("文件过大"), "422": err("没有上传文件") } } }
        }
    });
    // The 待办 routes, added apart (one literal of every path is past json!'s recursion).
    doc["paths"]["/api/todo"] = json!({ "get": { "summary": "待办与消息：要做的事（退回待改、草稿待提交、待审核）和他人对可见档案的提交、退回、审核、意见（含未读数）",
        "responses": { "200": ok("待办与消息", r("Todo")), "401": err("请先登录") } } });
    doc["paths"]["/api/todo/read"] = json!({ "post": { "summary": "把消息标为已读（到 seq 为止；只前进）", "description": CSRF,
        "requestBody": body(json!({ "type": "object", "required": ["seq"], "properties": { "seq": { "type": "integer" } } })),
        "responses": { "200": ok("已读", json!({ "type": "object" })), "401": err("请先登录"), "403": err("CSRF 令牌错误") } } });
    doc["paths"]["/api/progress"] = json!({ "get": { "summary": "填报进度（审核人员：分管单位；管理员：全部单位）：每个单位该年度档案的状态、最后修改、是否逾期",
        "parameters": [{ "name": "year", "in": "query", "required": false, "schema": { "type": "integer" }, "description": "年度，默认今年" }],
        "responses": { "200": ok("填报进度", r("Progress")), "400": err("year 不是数字"), "401": err("请先登录"), "403": err("单位用户无权查看") } } });
    doc["paths"]["/api/progress/remind"] = json!({ "post": { "summary": "催报：给指定单位（默认：尚未提交的全部分管单位）发消息", "description": CSRF,
        "requestBody": body(r("RemindRequest")),
        "responses": { "200": ok("已催报", json!({ "type": "object", "properties": { "reminded": { "type": "integer" } } })),
            "401": err("请先登录"), "403": err("单位用户无权催报或 CSRF 令牌错误"), "422": err("没有需要催报的单位") } } });
    doc["paths"]["/api/progress/deadline"] = json!({ "put": { "summary": "设置（或清除）某年度的填报截止日期（管理员）", "description": CSRF,
        "requestBody": body(r("DeadlineRequest")),
        "responses": { "200": ok("已设置", json!({ "type": "object" })), "401": err("请先登录"), "403": err("不是管理员或 CSRF 令牌错误"),
            "422": err("日期或年度不对") } } });
    doc["paths"]["/api/dossiers/{id}/comments/{cid}/resolve"] = json!({ "post": { "summary": "把意见标为已解决（resolved=false 重新打开）：审核人员、管理员或提出意见的人", "description": CSRF,
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } },
            { "name": "cid", "in": "path", "required": true, "schema": { "type": "integer" } }],
        "requestBody": body(r("ResolveRequest")),
        "responses": { "200": ok("意见（resolved_at、resolved_by_name）", json!({ "type": "object" })),
            "401": err("请先登录"), "403": err("无权标记或 CSRF 令牌错误"), "404": err("档案或意见不存在") } } });
    doc["paths"]["/api/exports"] = json!({ "post": { "summary": "批量导出/批量打印（后台任务）：所选档案，或该年度全部已审核通过的档案，打包为 .zip（xlsx/docx/pdf）或合并为一个 PDF（print）", "description": CSRF,
        "requestBody": body(r("ExportRequest")),
        "responses": { "202": ok("已开始（任务及进度）", r("JobView")), "401": err("请先登录"), "403": err("CSRF 令牌错误"),
            "404": err("所选档案不存在或无权查看"), "422": err("格式不对、没有可导出的档案、超过上限或已有导出在进行") } } });
    doc["paths"]["/api/jobs/{id}"] = json!({ "get": { "summary": "导出任务的进度；完成后加 download=1 下载结果（.zip 或 .pdf）",
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } },
            { "name": "download", "in": "query", "required": false, "schema": { "type": "string", "enum": ["1"] } }],
        "responses": { "200": ok("任务进度（download=1 时为文件）", r("JobView")), "401": err("请先登录"),
            "404": err("任务不存在、不是自己的或已过期"), "409": err("尚未完成") } } });
    doc["paths"]["/api/stats"] = json!({ "get": { "summary": "统计汇总（审核人员：分管单位；管理员：全部单位）：按状态、等级的档案数，按单位和主管部门的资金（分），指标分类，按规则的问题数及重复出现的单位，质量指数及近五年趋势",
        "parameters": [{ "name": "year", "in": "query", "required": false, "schema": { "type": "integer" }, "description": "年度，默认今年" }],
        "responses": { "200": ok("统计数字（均为数据库聚合结果；金额单位为分，1 万元 = 1,000,000 分）", json!({ "type": "object" })),
            "400": err("year 不是数字"), "401": err("请先登录"), "403": err("单位用户无权查看") } } });
    doc["paths"]["/api/publications"] = json!({
        "post": { "summary": "预算公开：公开某年度已审核通过的档案（可限于一个单位或一个主管部门及其下属单位；管理员）", "description": CSRF,
            "requestBody": body(r("PublicationRequest")),
            "responses": { "200": ok("公开的档案数", json!({ "type": "object", "properties": { "published": { "type": "integer" } } })),
                "401": err("请先登录"), "403": err("不是管理员或 CSRF 令牌错误"), "422": err("单位不存在") } },
        "delete": { "summary": "撤回公开（管理员）", "description": CSRF,
            "requestBody": body(r("PublicationRequest")),
            "responses": { "200": ok("撤回的档案数", json!({ "type": "object", "properties": { "unpublished": { "type": "integer" } } })),
                "401": err("请先登录"), "403": err("不是管理员或 CSRF 令牌错误"), "422": err("单位不存在") } } });
    doc["paths"]["/api/dossiers/{id}/reimport"] = json!({ "post": { "summary": "导入修改后的文件：读出改好的 Word/Excel 文件，预览（preview=true，不保存）或保存为下一版", "description": CSRF,
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
        "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
            "type": "object", "required": ["file"], "properties": {
                "file": { "type": "string", "format": "binary", "description": ".txt/.docx/.xlsx/.xls/.html" },
                "base_version": { "type": "integer", "description": "比较并接在其后的版本（默认当前版本）；已有更新的版本时 409，文件内容另存为冲突版本" },
                "preview": { "type": "boolean", "description": "true：只读出并检查，不保存" } } } } } },
        "responses": {
            "200": ok("预览结果，或文件与该版完全相同（不保存新版本）", r("Reimported")),
            "201": ok("已保存为新版本（saved）", r("Reimported")),
            "400": err("不是 multipart 请求"), "401": err("未登录"), "403": err("无权修改或 CSRF 令牌错误"),
            "404": err("档案不存在或无权查看"), "409": err("已有更新的版本"), "413": err("文件过大"),
            "422": err("文件无法读取、档案不可修改或超过限制") } } });
    reports(&mut doc);
    library(&mut doc);
    doc
}

/// The indicator library routes (指标库).
fn library(doc: &mut Value) {
    let entry = json!({ "type": "object", "description": "指标库条目（汇总数字，不含任何单位的填报）：key、name、level1、level2、comparator、unit、usual_value、standard、range（n、min、q1、median、q3、max、unit，至少两个单位填报后才给出）、achieved（自评实际值÷目标值，%）、uses、units、years、common、retired" });
    doc["paths"]["/api/library/suggest"] = json!({ "get": { "summary": "三级指标名称补全：常用的指标性质、计量单位和目标值范围",
        "parameters": [{ "name": "q", "in": "query", "required": true, "schema": { "type": "string", "maxLength": 50 } }],
        "responses": { "200": ok("至多 10 条", json!({ "type": "array", "items": entry })),
            "401": err("请先登录"), "422": err("查询文字过长") } } });
    doc["paths"]["/api/library/similar"] = json!({ "get": { "summary": "同类项目常用的指标（按项目名称相近程度找出的项目中，本表尚未使用的指标）",
        "parameters": [{ "name": "dossier", "in": "query", "required": true, "schema": { "type": "integer" } },
            { "name": "form", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 0 }, "description": "表的序号（从 0 起），须为项目表或部门整体表" }],
        "responses": { "200": ok("project 与 indicators（每条另有 projects：在多少个同类项目中使用，of：同类项目数）", json!({ "type": "object" })),
            "400": err("参数格式不对"), "401": err("请先登录"), "404": err("档案不存在或无权查看"), "422": err("该表不是项目表或部门整体表") } } });
    doc["paths"]["/api/library"] = json!({ "get": { "summary": "指标库条目列表（管理员）",
        "parameters": [{ "name": "q", "in": "query", "required": false, "schema": { "type": "string" } }],
        "responses": { "200": ok("total 与 entries（至多 300 条，按使用次数）", json!({ "type": "object" })),
            "401": err("请先登录"), "403": err("不是管理员") } } });
    doc["paths"]["/api/library/edits"] = json!({ "post": { "summary": "更正指标库（管理员，记入审计日志）：合并（merge）、改名（rename）、停用（retire）、标为共性指标（common）、标签（tag）、新增条目（define，导入指标库时用）", "description": CSRF,
        "requestBody": body(json!({ "$ref": "#/components/schemas/Edit" })),
        "responses": { "200": ok("已更正", json!({ "type": "object" })), "401": err("请先登录"),
            "403": err("不是管理员或 CSRF 令牌错误"), "422": err("指标库中没有该条目、名称为空、标签过多或过长，或合并到自身") } } });
}

/// The report routes (绩效运行监控, 绩效自评).
fn reports(doc: &mut Value) {
    let r = |s: &str| json!({ "$ref": format!("#/components/schemas/{s}") });
    let report = json!({ "type": "object", "description": "报告（其 forms 中的 computed_score、computed_total、computed_grade、light 为服务器按配置计算的值）" });
    let year = json!([{ "name": "year", "in": "query", "required": false, "schema": { "type": "integer" }, "description": "年度，默认今年" },
        { "name": "round", "in": "query", "required": false, "schema": { "type": "integer" }, "description": "监控轮次（默认该年度最近一轮；仅 /api/monitoring）" }]);
    doc["paths"]["/api/dossiers/{id}/reports"] = json!({
        "get": { "summary": "一份绩效目标档案上的报告（绩效运行监控按期间，绩效自评）", "parameters": id_param(),
            "responses": with(dossier_errors(&[]), "200", ok("报告列表", json!({ "type": "array", "items": r("DossierSummary") }))) },
        "post": { "summary": "建立报告：绩效运行监控（单位、审核人员、管理员）或绩效自评（单位、管理员），由审核通过的绩效目标预填", "description": CSRF,
            "parameters": id_param(), "requestBody": body(r("NewReportRequest")),
            "responses": with(dossier_errors(&[("403", "无权建立此类报告或 CSRF 令牌错误"), ("409", "已有同一期的报告"), ("422", "绩效目标尚未审核通过、类型或期间不正确")]),
                "201", ok("新报告：id、version、预填的 forms 和 findings", report.clone())) } });
    doc["paths"]["/api/reports/{id}"] = json!({
        "get": { "summary": "报告的当前版本（含计算的得分、总分、等级和预警灯）", "parameters": id_param(),
            "responses": with(dossier_errors(&[]), "200", ok("报告", report.clone())) },
        "put": { "summary": "保存报告为新版本（base_version 过期时 409，与档案相同）", "description": CSRF,
            "parameters": id_param(), "requestBody": body(r("SaveRequest")),
            "responses": with(dossier_errors(&[("403", "无权修改或 CSRF 令牌错误"), ("409", "已有更新的版本"), ("422", "报告不可修改或超过限制")]),
                "200", ok("已保存：id、version、status、含计算值的 forms、findings", report.clone())) } });
    for (step, summary, schema) in [
        ("submit", "提交报告", "SubmitRequest"),
        ("return", "退回报告（审核人员、管理员）", "ReturnRequest"),
        (
            "approve",
            "审核通过报告（审核人员、管理员）",
            "ApproveRequest",
        ),
    ] {
        doc["paths"][format!("/api/reports/{{id}}/{step}")] = json!({ "post": { "summary": summary, "description": CSRF,
            "parameters": id_param(), "requestBody": body(r(schema)),
            "responses": with(dossier_errors(&[("403", "无权操作或 CSRF 令牌错误"), ("409", "状态或版本已变化"), ("422", "当前状态不能这样操作，或还有错误")]),
                "200", ok("操作后的报告", r("Transitioned"))) } });
    }
    doc["paths"]["/api/rounds"] = json!({ "post": { "summary": "开启绩效监控：为所管单位审核通过的绩效目标生成监控表（审核人员、管理员）", "description": CSRF,
        "requestBody": body(r("RoundRequest")),
        "responses": { "201": ok("轮次及生成、跳过的报告数", json!({ "type": "object" })),
            "401": err("请先登录"), "403": err("单位用户无权开启或 CSRF 令牌错误"), "422": err("年度、期间或截止日期不正确") } } });
    doc["paths"]["/api/monitoring"] = json!({ "get": { "summary": "监控看板：可见单位的各项目预警灯（红灯在前）",
        "parameters": year.clone(),
        "responses": { "200": ok("轮次和各项目的执行率、预警灯", json!({ "type": "object" })), "401": err("请先登录"), "404": err("监控轮次不存在") } } });
    doc["paths"]["/api/self-evaluations"] = json!({ "get": { "summary": "绩效自评结果：可见单位的自评表按计算总分排列，及等级分布",
        "parameters": year,
        "responses": { "200": ok("自评列表和等级分布", json!({ "type": "object" })), "401": err("请先登录") } } });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_match_the_document() {
        let doc = document();
        let mut documented: Vec<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(|m| (m.clone(), path.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut listed: Vec<(String, String)> = OPERATIONS
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        documented.sort();
        listed.sort();
        assert_eq!(documented, listed);
    }

    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn schemas_come_from_the_types_and_every_ref_resolves() {
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(all.len() > 20, "{}", all.len());
        for r in all {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or(r);
            assert!(schemas.get(name).is_some(), "unresolved {r}");
        }
        // The form is one of the five kinds, tagged by `kind`.
        let form = serde_json::to_string(&schemas["Form"]).unwrap();
        for kind in jixiao_domain::FormKind::ALL {
            assert!(
                form.contains(&format!("\"{}\"", kind.key())),
                "{}",
                kind.key()
            );
        }
        // Amounts are decimal text in 万元, as Money's Deserialize accepts.
        assert_eq!(schemas["Money"]["type"], "string");
        let save = &schemas["SaveRequest"];
        let required: Vec<&str> = save["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(required.contains(&"forms") && required.contains(&"base_version"));
        assert_eq!(
            save["properties"]["forms"]["items"]["$ref"],
            "#/components/schemas/Form"
        );
        assert_eq!(save["additionalProperties"], false, "deny_unknown_fields");
        assert_eq!(
            doc["paths"]["/api/dossiers/{id}"]["put"]["requestBody"]["content"]["application/json"]
                ["schema"]["$ref"],
            "#/components/schemas/SaveRequest"
        );
    }
}
