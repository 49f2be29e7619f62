// The one translation table of the pages: every user-facing text, Chinese first.
// A value of the registry's vocabularies (network, 密级, 共享类型, labels, relations, rules)
// is translated through the same table under its own prefix.

export const TEXT = {
  "app.title": ["政务数据共享登记簿", "Data sharing registry"],
  "nav.dashboard": ["总览", "Dashboard"],
  "nav.explore": ["关系探索", "Explorer"],
  "nav.review": ["问题复核", "Findings review"],
  "nav.import": ["目录导入", "Import"],
  "nav.lang": ["English", "中文"],
  "token.set": ["访问令牌", "Access token"],
  "token.prompt": ["请输入访问令牌（仅保存在本浏览器会话中）", "Enter your access token (kept for this browser session only)"],
  "token.save": ["使用", "Use"],
  "token.clear": ["退出", "Sign out"],
  "token.required": ["需要访问令牌才能查看登记簿。", "An access token is needed to see the registry."],
  "token.invalid": ["令牌无效或已撤销。", "The token is invalid or revoked."],
  "token.public": ["公开视图", "Public view"],
  "token.using": ["已使用令牌", "Token in use"],
  "error.load": ["加载失败：", "Could not load: "],
  "loading": ["加载中…", "Loading…"],
  "none": ["无", "none"],
  "not_declared": ["未声明", "not declared"],
  "total": ["合计", "total"],

  "dash.counts": ["登记概况", "What the registry holds"],
  "dash.findings": ["发现的问题（按规则）", "Findings by rule"],
  "dash.rule": ["规则", "Rule"],
  "dash.rule_name": ["问题", "Finding"],
  "dash.count": ["数量", "Count"],
  "dash.matrix": ["部门间共享矩阵（提供方 → 使用方，数据资源数）", "Sharing between departments (provider → consumer, datasets)"],
  "dash.matrix_shown": ["显示共享最多的 {n} 个部门，共 {m} 个；合计 {t} 项共享中的 {s} 项", "the {n} busiest of {m} departments; {s} of {t} shared datasets"],
  "dash.matrix_empty": ["尚无部门间共享记录", "No sharing between departments recorded"],
  "dash.provider": ["提供方＼使用方", "provider＼consumer"],
  "dash.zones": ["信息系统：部署网络 × 密级", "Systems by network zone and 密级"],
  "dash.network": ["部署网络", "Network"],
  "dash.departments": ["各部门情况", "Departments"],
  "dash.department": ["部门", "Department"],
  "dash.systems": ["信息系统", "Systems"],
  "dash.datasets": ["信息资源", "Datasets"],
  "dash.open_findings": ["待处理问题", "Open findings"],
  "dash.more_departments": ["另有 {n} 个部门未列出", "{n} more departments not listed"],
  "dash.no_findings": ["未发现问题", "No findings"],

  "ex.search": ["搜索部门、系统、资源、信息项或数据元…", "Search departments, systems, datasets, fields, data elements…"],
  "ex.relations": ["关系类型", "Relations"],
  "ex.layout": ["重新布局", "Re-layout"],
  "ex.clear": ["清空", "Clear"],
  "ex.selected": ["选中", "Selected"],
  "ex.none_selected": ["点击一个节点查看详情并展开其关联。", "Click an entry to see it and expand its neighbours."],
  "ex.open_entry": ["打开详情页", "Open entry page"],
  "ex.more": ["另有 {n} 个关联未显示", "{n} more neighbours not shown"],
  "ex.lineage_up": ["上游血缘", "Lineage up"],
  "ex.lineage_down": ["下游血缘", "Lineage down"],
  "ex.impact": ["影响分析", "Impact"],
  "ex.paths": ["数据流转路径", "How data gets from A to B"],
  "ex.from": ["设为起点", "Set as A"],
  "ex.to": ["设为终点", "Set as B"],
  "ex.find_paths": ["查找路径", "Find paths"],
  "ex.no_paths": ["未找到路径", "No path found"],
  "ex.paths_found": ["找到 {n} 条最短路径", "{n} shortest paths found"],
  "ex.export_png": ["导出 PNG", "Export PNG"],
  "ex.export_graphml": ["导出 GraphML", "Export GraphML"],
  "ex.legend": ["图例", "Legend"],
  "ex.legend_colour": ["填充色：部署网络", "Fill: network zone"],
  "ex.legend_border": ["边框：密级（越粗越高）", "Border: 密级 (thicker is higher)"],
  "ex.legend_shape": ["形状：类型", "Shape: kind"],
  "ex.nodes": ["{n} 个节点，{m} 条关系", "{n} entries, {m} relations"],
  "ex.highlight": ["高亮：{what}（{n} 个）", "Highlighted: {what} ({n})"],
  "ex.no_suggestions": ["无匹配", "No match"],

  "label.Department": ["部门", "Department"],
  "label.System": ["信息系统", "System"],
  "label.Dataset": ["信息资源", "Dataset"],
  "label.Field": ["信息项", "Field"],
  "label.DataElement": ["数据元", "Data element"],
  "label.Interface": ["技术接口", "Interface"],
  "label.Project": ["项目", "Project"],
  "label.Need": ["共享需求", "Need"],
  "label.ImportBatch": ["导入批次", "Import batch"],

  "network.intranet": ["政务内网", "Intranet"],
  "network.extranet": ["政务外网", "Extranet"],
  "network.private": ["部门专网", "Private network"],
  "network.internet": ["互联网", "Internet"],
  "network.": ["未声明", "not declared"],
  "secrecy.none": ["非涉密", "Not classified"],
  "secrecy.secret": ["秘密", "Secret"],
  "secrecy.confidential": ["机密", "Confidential"],
  "secrecy.top_secret": ["绝密", "Top secret"],
  "share.unconditional": ["无条件共享", "Unconditional"],
  "share.conditional": ["有条件共享", "Conditional"],
  "share.not_shared": ["不予共享", "Not shared"],
  "share.": ["未声明", "not declared"],

  "rel.OPERATES": ["运行", "operates"],
  "rel.PROVIDES": ["提供", "provides"],
  "rel.HOLDS": ["存储", "holds"],
  "rel.HAS_FIELD": ["包含信息项", "has field"],
  "rel.MEANS": ["对应数据元", "means"],
  "rel.EXPOSED_VIA": ["通过接口", "exposed via"],
  "rel.NEEDS": ["提出需求", "needs"],
  "rel.FOR": ["需求对象", "for"],
  "rel.SHARED_WITH": ["共享给", "shared with"],
  "rel.DERIVED_FROM": ["来源于", "derived from"],
  "rel.LED_BY": ["牵头部门", "led by"],
  "rel.CO_BUILT_BY": ["共建部门", "co-built by"],
  "rel.BUILDS": ["建设", "builds"],

  "rule.DUP-1": ["重复建设", "Duplicate construction"],
  "rule.unmet_need": ["需求无人满足", "Need nobody meets"],
  "rule.blocked_need": ["需求被不予共享阻断", "Need blocked by policy"],
  "rule.boundary_need": ["需求跨越网络边界", "Need across the network boundary"],
  "rule.unused_dataset": ["可共享资源无人使用", "Shareable dataset nobody uses"],
  "rule.conditional_without_condition": ["有条件共享未写明条件", "Conditional sharing without a condition"],
  "rule.SHR-1": ["目录要素缺失", "Catalogue item missing attributes"],
  "rule.NET-1": ["涉密系统未部署在内网", "Classified system off the intranet"],
  "rule.NET-2": ["绝密系统部署在政务网络", "Top-secret system on an e-government network"],
  "rule.NET-3": ["部门专网系统", "System on a department-private network"],
  "rule.NET-4": ["2013年后新建部门专网", "New department-private network after 2013"],
  "rule.NET-5": ["公共服务系统部署在内网", "Public-service system on the intranet"],
  "family.duplicate": ["重复建设", "duplicate"],
  "family.gap": ["共享缺口", "sharing gap"],
  "family.placement": ["网络部署", "network placement"],
};

export function currentLang() {
  return localStorage.getItem("registry-lang") === "en" ? "en" : "zh";
}

export function setLang(lang) {
  localStorage.setItem("registry-lang", lang);
}

export function t(key, params = {}) {
  const entry = TEXT[key];
  let text = entry ? entry[currentLang() === "en" ? 1 : 0] : key;
  for (const [name, value] of Object.entries(params)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

// A vocabulary value: the table's text when it has one, else the value itself (a rule
// another analysis adds shows under its id until the table names it).
export function term(prefix, value) {
  const key = `${prefix}.${value ?? ""}`;
  return key in TEXT ? t(key) : String(value ?? "");
}
