// The deployment files: what people upload to the chat platforms (deploy/teams) must parse and
// name what the platform requires, or the upload fails where we cannot see it; what operators
// run okrbot with (Dockerfile, compose, Kubernetes, systemd) must match the configuration the
// code really reads, or replicas crash-loop, go unrouted or exhaust the database.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/config.h"

namespace okrbot::testing {
namespace {

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(OKRBOT_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Width and height from a PNG's IHDR chunk; {0, 0} when it is not a PNG.
std::pair<int, int> PngSize(const std::string& png) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return {0, 0};
  auto be32 = [&](size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) |
           (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  return {be32(16), be32(20)};
}

TEST(DeployTest, TeamsManifestNamesTheBotAndItsIcons) {
  auto manifest = nlohmann::json::parse(ReadSource("deploy/teams/manifest.json"), nullptr, false);
  ASSERT_TRUE(manifest.is_object()) << "deploy/teams/manifest.json is not JSON";
  EXPECT_EQ(manifest.value("manifestVersion", ""), "1.17");
  EXPECT_EQ(manifest.value("id", ""), "${{TEAMS_APP_ID}}") << "deploy/teams/package fills it in";
  ASSERT_TRUE(manifest["bots"].is_array() && manifest["bots"].size() == 1);
  const auto& bot = manifest["bots"][0];
  EXPECT_EQ(bot.value("botId", ""), "${{TEAMS_APP_ID}}");
  EXPECT_EQ(bot["scopes"], nlohmann::json({"personal", "team", "groupChat"}));
  EXPECT_LE(bot["commandLists"][0]["commands"].size(), 10u);  // Teams shows at most 10
  EXPECT_LE(manifest["name"].value("short", "").size(), 30u);
  EXPECT_LE(manifest["description"].value("short", "").size(), 80u);
  EXPECT_LE(manifest["description"].value("full", "").size(), 4000u);
  // Teams requires a 192x192 colour icon and a 32x32 outline icon.
  EXPECT_EQ(PngSize(ReadSource("deploy/teams/" + manifest["icons"].value("color", ""))),
            std::make_pair(192, 192));
  EXPECT_EQ(PngSize(ReadSource("deploy/teams/" + manifest["icons"].value("outline", ""))),
            std::make_pair(32, 32));
}

// --- the operator-facing deployment files (deploy/README.md) --------------------------------
//
// There is no YAML library in the build, so the tests read the YAML they check with FlatYaml: a
// line-based reader for the block style these files use (mappings, "- " sequences, quoted and
// plain scalars, | and > blocks). Every scalar becomes one entry whose path is the keys above
// it joined by "." with sequence items as "[n]", e.g.
//   spec.template.spec.containers[0].ports[0].containerPort = 3000
// Flow collections (["CMD", ...]) stay one raw string. python3 -c "import yaml" is the full
// check of the syntax; these tests check what the files mean.

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

std::string Unquote(const std::string& text) {
  std::string t = Trim(text);
  if (t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front()) {
    return t.substr(1, t.size() - 2);
  }
  return t;
}

// Position of `wanted` in `line` outside quotes and flow brackets; for ':' only a colon that
// ends the text or is followed by a space (a mapping key), for '#' only one that starts a word
// (a comment). npos when there is none.
size_t FindOutsideQuotes(const std::string& line, char wanted) {
  char quote = 0;
  int depth = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    char before = i == 0 ? ' ' : line[i - 1];
    if (quote != 0) {
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    bool starts_token = before == ' ' || before == '[' || before == '{' || before == ',';
    if ((c == '"' || c == '\'') && starts_token) {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == wanted && wanted == '#' && (i == 0 || before == ' ' || before == '\t')) {
      return i;
    } else if (c == wanted && wanted == ':' && depth == 0 &&
               (i + 1 == line.size() || line[i + 1] == ' ')) {
      return i;
    }
  }
  return std::string::npos;
}

class FlatYaml {
 public:
  struct Entry {
    std::vector<std::string> path;
    std::string joined;
    std::string value;  // "" for a key whose value is nested below it
  };

  explicit FlatYaml(const std::string& text) {
    struct Frame {
      int indent;
      std::string key;
      bool item;
    };
    std::vector<Frame> stack;
    std::map<std::string, int> next_item;  // by the joined path of the sequence
    int block_indent = -1;                 // inside a | or > scalar owned by this indent
    std::istringstream lines(text);
    std::string raw;
    while (std::getline(lines, raw)) {
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      size_t first = raw.find_first_not_of(' ');
      if (block_indent >= 0) {
        if (first == std::string::npos || static_cast<int>(first) > block_indent) {
          std::string& value = entries_.back().value;
          if (!value.empty()) value += "\n";
          value += Trim(raw);
          continue;
        }
        block_indent = -1;
      }
      std::string line = raw;
      if (size_t hash = FindOutsideQuotes(line, '#'); hash != std::string::npos) {
        line = line.substr(0, hash);
      }
      std::string rest = Trim(line);
      if (rest.empty() || rest == "---" || rest == "...") continue;
      int indent = static_cast<int>(line.find_first_not_of(' '));
      while (rest == "-" || rest.rfind("- ", 0) == 0) {
        while (!stack.empty() && (stack.back().indent > indent ||
                                  (stack.back().indent == indent && stack.back().item))) {
          stack.pop_back();
        }
        int index = next_item[Join(stack)]++;
        stack.push_back({indent, "[" + std::to_string(index) + "]", true});
        std::string after = rest.size() > 1 ? rest.substr(2) : "";
        size_t spaces = after.find_first_not_of(' ');
        indent += 2 + static_cast<int>(spaces == std::string::npos ? 0 : spaces);
        rest = Trim(after);
      }
      if (rest.empty()) continue;
      size_t colon = FindOutsideQuotes(rest, ':');
      if (colon == std::string::npos) {  // a scalar sequence item
        Add(stack, Unquote(rest));
        continue;
      }
      while (!stack.empty() && stack.back().indent >= indent) stack.pop_back();
      stack.push_back({indent, Unquote(rest.substr(0, colon)), false});
      std::string value = Trim(rest.substr(colon + 1));
      if (!value.empty() && (value[0] == '|' || value[0] == '>')) {
        Add(stack, "");
        block_indent = indent;
      } else {
        Add(stack, Unquote(value));
      }
    }
  }

  const std::vector<Entry>& entries() const { return entries_; }

  // The value at `path` ("" when the key holds nested entries), nullopt when there is no key.
  std::optional<std::string> Get(const std::string& path) const {
    for (const Entry& e : entries_) {
      if (e.joined == path) return e.value;
    }
    return std::nullopt;
  }

  // The entries directly below `path`, by key (or "[n]" for sequence items).
  std::map<std::string, std::string> Children(const std::string& path) const {
    std::map<std::string, std::string> children;
    for (const Entry& e : entries_) {
      if (e.path.empty()) continue;
      std::vector<std::string> parent(e.path.begin(), e.path.end() - 1);
      if (JoinKeys(parent) == path) children[e.path.back()] = e.value;
    }
    return children;
  }

  // The scalar items of the sequence at `path`.
  std::vector<std::string> Items(const std::string& path) const {
    std::vector<std::string> items;
    for (int i = 0;; ++i) {
      auto item = Get(path + "[" + std::to_string(i) + "]");
      if (!item) return items;
      items.push_back(*item);
    }
  }

 private:
  template <typename Frames>
  static std::string Join(const Frames& stack) {
    std::vector<std::string> keys;
    for (const auto& frame : stack) keys.push_back(frame.key);
    return JoinKeys(keys);
  }

  static std::string JoinKeys(const std::vector<std::string>& keys) {
    std::string joined;
    for (const auto& key : keys) {
      if (!joined.empty() && key[0] != '[') joined += ".";
      joined += key;
    }
    return joined;
  }

  template <typename Frames>
  void Add(const Frames& stack, const std::string& value) {
    Entry entry;
    for (const auto& frame : stack) entry.path.push_back(frame.key);
    entry.joined = JoinKeys(entry.path);
    entry.value = value;
    entries_.push_back(std::move(entry));
  }

  std::vector<Entry> entries_;
};

// A deploy file; a missing or empty file fails the calling test.
std::string ReadDeployFile(const std::string& relative) {
  std::string text = ReadSource(relative);
  EXPECT_FALSE(text.empty()) << relative << " is missing or empty";
  return text;
}

FlatYaml ReadYaml(const std::string& relative) { return FlatYaml(ReadDeployFile(relative)); }

bool IsKnownVariable(const std::string& name) {
  const auto& known = KnownConfigVariables();
  return std::find(known.begin(), known.end(), name) != known.end();
}

bool IsPostgresImageVariable(const std::string& name) { return name.rfind("POSTGRES_", 0) == 0; }

using EnvMap = std::map<std::string, std::string>;

// KEY=value lines of an env file (compose env_file, systemd EnvironmentFile); with
// `include_commented`, also "#KEY=value" lines (settings shown but left at their default).
EnvMap ParseEnvFile(const std::string& text, bool include_commented) {
  static const std::regex kLine(R"(^(#\s*)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$)");
  EnvMap env;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) continue;
    if (m[1].matched && !include_commented) continue;
    env[m[2]] = Trim(m[3]);
  }
  return env;
}

// "${NAME}", "${NAME:?message}", "${NAME:-default}" in a compose value -> `replacement`.
std::string SubstituteCompose(const std::string& value, const std::string& replacement) {
  return std::regex_replace(value, std::regex(R"(\$\{[^}]*\})"), replacement);
}

// LoadConfig over `env`, as the process would see it.
Result<Config> LoadFrom(const EnvMap& env) {
  return LoadConfig(
      [&env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      },
      "");
}

int ListenPort(const std::string& listen) {
  std::string host;
  int port = 0;
  return ParseListen(listen, &host, &port) ? port : -1;
}

// The port okrbot serves on given these settings (OKRBOT_LISTEN, else the code's default).
int ServedPort(const EnvMap& env) {
  auto config = LoadFrom(env);
  return config.ok() ? ListenPort(config->listen) : -1;
}

// postgresql://user:password@host:port/db?x -> {user, host, db}.
struct PostgresUrl {
  std::string user, host, database;
};
std::optional<PostgresUrl> ParsePostgresUrl(const std::string& url) {
  static const std::regex kUrl(
      R"(^postgres(ql)?://(([^:@/]*)(:[^@/]*)?@)?([^:/?]+)(:\d+)?/([^?]+).*$)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) return std::nullopt;
  return PostgresUrl{m[3], m[5], m[7]};
}

const char* const kCompose = "deploy/docker-compose.yml";
const char* const kEnvExample = "deploy/okrbot.env.example";
const char* const kSystemdUnit = "deploy/okrbot.service";
const char* const kDockerfile = "deploy/Dockerfile";
const char* const kKubernetes = "deploy/kubernetes";

std::vector<std::string> KubernetesYamlFiles() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OKRBOT_SOURCE_DIR) + "/" + kKubernetes)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
      files.push_back(entry.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The compose services that run okrbot (built from deploy/Dockerfile, or an okrbot image).
std::vector<std::string> ComposeOkrbotServices(const FlatYaml& compose) {
  std::vector<std::string> services;
  for (const auto& [name, unused] : compose.Children("services")) {
    std::string image = compose.Get("services." + name + ".image").value_or("");
    if (compose.Get("services." + name + ".build") || image.find("okrbot") != std::string::npos) {
      services.push_back(name);
    }
  }
  return services;
}

// What an okrbot compose service's process sees: the uncommented lines of okrbot.env.example
// (its env_file, once copied), then its `environment:` (which wins); ${...} filled in.
EnvMap ComposeServiceEnv(const FlatYaml& compose, const std::string& service) {
  EnvMap env;
  if (compose.Get("services." + service + ".env_file")) {
    env = ParseEnvFile(ReadDeployFile(kEnvExample), false);
  }
  for (const auto& [key, value] : compose.Children("services." + service + ".environment")) {
    env[key] = SubstituteCompose(value, "placeholder");
  }
  return env;
}

// What a pod sees: the ConfigMap, then the Secret (envFrom order: the later source wins).
EnvMap KubernetesPodEnv() {
  EnvMap env = ReadYaml(std::string(kKubernetes) + "/configmap.yaml").Children("data");
  for (const auto& [key, value] :
       ReadYaml(std::string(kKubernetes) + "/secret.example.yaml").Children("stringData")) {
    env[key] = value;
  }
  return env;
}

// As `openssl rand -hex 32` makes it: production refuses predictable keys.
const std::string kSomeSecretKey =
    "9c4e1a7f3b0d6e2a8c5f1b9d3e7a0c4f6b2d8e5a1f3c7b9e0d4a6c2f8b1e5d3a";

// The Socket Mode manifest is the HTTP one without request URLs (nothing to replace).
TEST(DeployTest, SlackSocketModeManifestHasNoRequestUrls) {
  std::string http = ReadDeployFile("deploy/slack-app-manifest.yaml");
  std::string socket = ReadDeployFile("deploy/slack-app-manifest-socket-mode.yaml");
  EXPECT_NE(http.find("socket_mode_enabled: false"), std::string::npos);
  EXPECT_NE(socket.find("socket_mode_enabled: true"), std::string::npos);
  for (const char* absent : {"url:", "request_url", "redirect_urls", "okrbot.example.com"}) {
    EXPECT_EQ(socket.find(absent), std::string::npos) << "socket mode manifest has " << absent;
  }
  // Same command, scopes, events and App Home: every other line of the HTTP manifest.
  std::istringstream lines(http);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#' || line.find("url") != std::string::npos ||
        line.find("okrbot.example.com") != std::string::npos ||
        line.find("socket_mode_enabled") != std::string::npos) {
      continue;
    }
    EXPECT_NE(socket.find(line + "\n"), std::string::npos) << "missing: " << line;
  }
}

TEST(DeployTest, FilesNameOnlyVariablesOkrbotReads) {
  // 1. Every variable-looking name anywhere in the files (comments included: operators copy
  //    them), by prefix.
  static const std::regex kName(R"(\b(OKRBOT|SLACK|TEAMS|MATTERMOST|POSTGRES)_[A-Z0-9_]+)");
  std::vector<std::string> files = {kCompose, kEnvExample, kSystemdUnit, kDockerfile,
                                    "deploy/README.md"};
  for (const auto& file : KubernetesYamlFiles())
    files.push_back(std::string(kKubernetes) + "/" + file);
  for (const auto& file : files) {
    std::string text = ReadDeployFile(file);
    EXPECT_EQ(text.find("OKRBOT_FAKE_CLOCK_FILE"), std::string::npos)
        << file << ": OKRBOT_FAKE_CLOCK_FILE replaces the system clock; tests only";
    for (std::sregex_iterator it(text.begin(), text.end(), kName), end; it != end; ++it) {
      std::string name = it->str();
      // The Dockerfile's build stage may use the build's own settings (OKRBOT_JOBS, ...).
      bool build_setting =
          file == kDockerfile && (ReadSource("scripts/build").find(name) != std::string::npos ||
                                  ReadSource("CMakeLists.txt").find(name) != std::string::npos);
      EXPECT_TRUE(IsKnownVariable(name) || IsPostgresImageVariable(name) || build_setting)
          << file << " mentions " << name << ", which okrbot does not read";
    }
  }

  // 2. Every name that is set, whatever its spelling (a DATABASE_URL would be ignored).
  auto expect_known = [](const std::string& where, const std::string& name) {
    EXPECT_TRUE(IsKnownVariable(name)) << where << " sets " << name << ", which okrbot ignores";
  };
  for (const auto& [name, value] : ParseEnvFile(ReadDeployFile(kEnvExample), true)) {
    expect_known(kEnvExample, name);
  }
  FlatYaml compose = ReadYaml(kCompose);
  for (const auto& [service, unused] : compose.Children("services")) {
    for (const auto& [name, value] : compose.Children("services." + service + ".environment")) {
      if (service == "postgres") {
        EXPECT_TRUE(IsPostgresImageVariable(name)) << "postgres service sets " << name;
      } else {
        expect_known(std::string(kCompose) + " service " + service, name);
      }
    }
  }
  for (const auto& [name, value] :
       ReadYaml(std::string(kKubernetes) + "/configmap.yaml").Children("data")) {
    expect_known("configmap.yaml", name);
  }
  FlatYaml secret = ReadYaml(std::string(kKubernetes) + "/secret.example.yaml");
  for (const char* field : {"stringData", "data"}) {
    for (const auto& [name, value] : secret.Children(field))
      expect_known("secret.example.yaml", name);
  }
  FlatYaml deployment = ReadYaml(std::string(kKubernetes) + "/deployment.yaml");
  for (const auto& e : deployment.entries()) {
    static const std::regex kEnvName(
        R"(^spec\.template\.spec\.containers\[\d+\]\.env\[\d+\]\.name$)");
    if (std::regex_match(e.joined, kEnvName)) expect_known("deployment.yaml", e.value);
  }
  std::istringstream unit(ReadDeployFile(kSystemdUnit));
  std::string line;
  static const std::regex kAssignment(R"(\"?([A-Za-z_][A-Za-z0-9_]*)=)");
  while (std::getline(unit, line)) {
    if (line.rfind("Environment=", 0) != 0) continue;
    std::string assignments = line.substr(std::string("Environment=").size());
    for (std::sregex_iterator it(assignments.begin(), assignments.end(), kAssignment), end;
         it != end; ++it) {
      expect_known(kSystemdUnit, (*it)[1]);
    }
  }
}

TEST(DeployTest, ProbesAndPortsMatchTheListenAddress) {
  // Kubernetes: the containerPort is where OKRBOT_LISTEN (ConfigMap, else the default) serves.
  FlatYaml deployment = ReadYaml(std::string(kKubernetes) + "/deployment.yaml");
  EXPECT_EQ(deployment.Get("kind"), "Deployment");
  EXPECT_GE(std::atoi(deployment.Get("spec.replicas").value_or("1").c_str()), 2)
      << "one replica is not highly available";
  const std::string container = "spec.template.spec.containers[0]";
  ASSERT_TRUE(deployment.Get(container + ".name")) << "no container in deployment.yaml";
  int served = ServedPort(KubernetesPodEnv());
  ASSERT_GT(served, 0);
  std::string container_port = deployment.Get(container + ".ports[0].containerPort").value_or("");
  std::string port_name = deployment.Get(container + ".ports[0].name").value_or("");
  EXPECT_EQ(container_port, std::to_string(served))
      << "containerPort differs from the port of OKRBOT_LISTEN";
  auto on_container_port = [&](const std::string& port) {
    return port == container_port || (!port_name.empty() && port == port_name);
  };
  struct Probe {
    const char* name;
    std::vector<std::string> paths;
  };
  for (const Probe& probe :
       {Probe{"readinessProbe", {"/readyz"}}, Probe{"livenessProbe", {"/healthz"}},
        Probe{"startupProbe", {"/healthz", "/readyz"}}}) {
    std::string at = container + "." + probe.name + ".httpGet";
    std::string path = deployment.Get(at + ".path").value_or("(none)");
    EXPECT_NE(std::find(probe.paths.begin(), probe.paths.end(), path), probe.paths.end())
        << probe.name << " checks " << path;
    EXPECT_TRUE(on_container_port(deployment.Get(at + ".port").value_or("")))
        << probe.name << " does not probe the container port";
  }

  // Compose: each replica publishes and health-checks the port its OKRBOT_LISTEN serves on.
  FlatYaml compose = ReadYaml(kCompose);
  std::set<std::string> host_ports;
  for (const auto& service : ComposeOkrbotServices(compose)) {
    int port = ServedPort(ComposeServiceEnv(compose, service));
    ASSERT_GT(port, 0) << service;
    std::vector<std::string> ports = compose.Items("services." + service + ".ports");
    EXPECT_FALSE(ports.empty()) << service << " publishes no port";
    for (const auto& mapping : ports) {  // "HOST:CONTAINER" or "IP:HOST:CONTAINER"
      size_t colon = mapping.rfind(':');
      EXPECT_EQ(mapping.substr(colon + 1), std::to_string(port))
          << service << " publishes " << mapping << " but okrbot listens on " << port;
      EXPECT_TRUE(host_ports.insert(mapping.substr(0, colon)).second)
          << "two replicas publish host port " << mapping.substr(0, colon);
    }
    std::string check = compose.Get("services." + service + ".healthcheck.test").value_or("");
    EXPECT_NE(check.find("/" + std::to_string(port) + " "), std::string::npos)
        << service << "'s healthcheck does not connect to port " << port << ": " << check;
    EXPECT_TRUE(check.find("GET /readyz ") != std::string::npos ||
                check.find("GET /healthz ") != std::string::npos)
        << service << "'s healthcheck requests neither /readyz nor /healthz: " << check;
  }

  // The image exposes the default port and checks /healthz.
  std::string dockerfile = ReadDeployFile(kDockerfile);
  int image_port = ServedPort({});
  std::smatch env_listen;
  if (std::regex_search(dockerfile, env_listen, std::regex(R"(\nENV OKRBOT_LISTEN=(\S+))"))) {
    image_port = ListenPort(env_listen[1]);
  }
  EXPECT_NE(dockerfile.find("\nEXPOSE " + std::to_string(image_port) + "\n"), std::string::npos)
      << "the Dockerfile does not EXPOSE " << image_port;
  EXPECT_NE(dockerfile.find("GET /healthz "), std::string::npos);
}

TEST(DeployTest, KubernetesObjectsFindEachOther) {
  FlatYaml deployment = ReadYaml(std::string(kKubernetes) + "/deployment.yaml");
  auto pod_labels = deployment.Children("spec.template.metadata.labels");
  ASSERT_FALSE(pod_labels.empty()) << "the pod template has no labels";
  auto expect_selects_pods = [&](const std::string& what,
                                 const std::map<std::string, std::string>& selector) {
    EXPECT_FALSE(selector.empty()) << what << " has no selector (it would select every pod)";
    for (const auto& [key, value] : selector) {
      auto label = pod_labels.find(key);
      EXPECT_TRUE(label != pod_labels.end() && label->second == value)
          << what << " selects " << key << "=" << value << ", which the okrbot pods do not carry";
    }
  };
  expect_selects_pods("the Deployment", deployment.Children("spec.selector.matchLabels"));

  FlatYaml pdb = ReadYaml(std::string(kKubernetes) + "/pdb.yaml");
  EXPECT_EQ(pdb.Get("kind"), "PodDisruptionBudget");
  EXPECT_EQ(pdb.Get("spec.minAvailable"), "1");
  expect_selects_pods("the PodDisruptionBudget", pdb.Children("spec.selector.matchLabels"));

  FlatYaml service = ReadYaml(std::string(kKubernetes) + "/service.yaml");
  EXPECT_EQ(service.Get("kind"), "Service");
  expect_selects_pods("the Service", service.Children("spec.selector"));
  EXPECT_EQ(service.Get("spec.ports[0].port"), "80");
  std::string target = service.Get("spec.ports[0].targetPort").value_or("");
  const std::string port = "spec.template.spec.containers[0].ports[0]";
  EXPECT_TRUE(target == deployment.Get(port + ".containerPort") ||
              target == deployment.Get(port + ".name"))
      << "the Service sends traffic to port " << target << ", not the container's";

  // envFrom names the ConfigMap and the Secret that exist (else: CreateContainerConfigError).
  std::set<std::string> sources;
  for (const auto& e : deployment.entries()) {
    if (e.path.size() >= 2 && e.path[e.path.size() - 1] == "name" &&
        (e.path[e.path.size() - 2] == "configMapRef" || e.path[e.path.size() - 2] == "secretRef")) {
      sources.insert(e.path[e.path.size() - 2] + "/" + e.value);
    }
  }
  std::string configmap =
      ReadYaml(std::string(kKubernetes) + "/configmap.yaml").Get("metadata.name").value_or("");
  std::string secret =
      ReadYaml(std::string(kKubernetes) + "/secret.example.yaml").Get("metadata.name").value_or("");
  EXPECT_EQ(configmap, "okrbot-config");
  EXPECT_EQ(secret, "okrbot-secrets");
  EXPECT_EQ(sources, (std::set<std::string>{"configMapRef/" + configmap, "secretRef/" + secret}));
}

TEST(DeployTest, ComposeRunsReplicasOnThePostgresService) {
  FlatYaml compose = ReadYaml(kCompose);
  ASSERT_TRUE(compose.Get("services.postgres")) << "no service named postgres";
  EXPECT_EQ(compose.Get("services.postgres.image").value_or("").rfind("postgres:", 0), 0u);
  auto postgres_env = compose.Children("services.postgres.environment");
  std::string pg_user =
      postgres_env.count("POSTGRES_USER") ? postgres_env["POSTGRES_USER"] : "postgres";
  std::string pg_db = postgres_env.count("POSTGRES_DB") ? postgres_env["POSTGRES_DB"] : pg_user;

  std::vector<std::string> replicas = ComposeOkrbotServices(compose);
  EXPECT_GE(replicas.size(), 2u) << "fewer than two okrbot services";
  for (const auto& service : replicas) {
    std::string url = ComposeServiceEnv(compose, service)["OKRBOT_DB"];
    EXPECT_EQ(url.rfind("postgresql://", 0), 0u) << service << ": OKRBOT_DB=" << url;
    auto parsed = ParsePostgresUrl(url);
    ASSERT_TRUE(parsed) << service << ": OKRBOT_DB=" << url;
    EXPECT_EQ(parsed->host, "postgres") << service << " does not connect to the postgres service";
    EXPECT_EQ(parsed->user, pg_user) << service << " logs in as a user the postgres service lacks";
    EXPECT_EQ(parsed->database, pg_db) << service << " uses a database postgres does not create";
    // The same password variable on both sides.
    std::string raw = compose.Get("services." + service + ".environment.OKRBOT_DB").value_or("");
    EXPECT_NE(raw.find("${POSTGRES_PASSWORD"), std::string::npos) << service;
    EXPECT_EQ(compose.Get("services." + service + ".depends_on.postgres.condition"),
              "service_healthy")
        << service << " may start before the database accepts connections";
  }
  EXPECT_NE(postgres_env["POSTGRES_PASSWORD"].find("${POSTGRES_PASSWORD"), std::string::npos);
  EXPECT_NE(compose.Get("services.postgres.healthcheck.test").value_or("").find("pg_isready"),
            std::string::npos);
}

TEST(DeployTest, ReplicasTimesPoolStayBelowPostgresConnectionLimit) {
  const int kMaxConnections = 100;  // PostgreSQL's default max_connections (postgres:15 image)
  // Compose: every replica's pool.
  FlatYaml compose = ReadYaml(kCompose);
  int compose_connections = 0;
  for (const auto& service : ComposeOkrbotServices(compose)) {
    auto config = LoadFrom(ComposeServiceEnv(compose, service));
    ASSERT_TRUE(config.ok()) << service << ": " << config.status().message();
    compose_connections += config->db_pool;
  }
  EXPECT_LT(compose_connections, kMaxConnections);

  // Kubernetes: replicas plus the pods a rolling update adds (maxSurge, default 25%).
  FlatYaml deployment = ReadYaml(std::string(kKubernetes) + "/deployment.yaml");
  int replicas = std::atoi(deployment.Get("spec.replicas").value_or("1").c_str());
  std::string surge = deployment.Get("spec.strategy.rollingUpdate.maxSurge").value_or("25%");
  int surge_pods = surge.back() == '%' ? (replicas * std::atoi(surge.c_str()) + 99) / 100
                                       : std::atoi(surge.c_str());
  auto config = LoadFrom(KubernetesPodEnv());
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_LT((replicas + surge_pods) * config->db_pool, kMaxConnections)
      << replicas << " replicas + " << surge_pods << " surge x OKRBOT_DB_POOL " << config->db_pool;
}

TEST(DeployTest, KustomizationListsEveryManifestButTheSecretExample) {
  FlatYaml kustomization = ReadYaml(std::string(kKubernetes) + "/kustomization.yaml");
  std::vector<std::string> listed = kustomization.Items("resources");
  for (const auto& file : listed) {
    EXPECT_TRUE(std::filesystem::is_regular_file(std::string(OKRBOT_SOURCE_DIR) + "/" +
                                                 kKubernetes + "/" + file))
        << "kustomization.yaml lists " << file << ", which does not exist";
  }
  std::set<std::string> expected;
  for (const auto& file : KubernetesYamlFiles()) {
    if (file != "kustomization.yaml" && file != "secret.example.yaml") expected.insert(file);
  }
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), expected);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), "secret.example.yaml"), 0)
      << "kubectl apply -k would install the placeholder secrets";
}

TEST(DeployTest, SettingsPassCheckConfigOnceSecretsAreFilledIn) {
  // What `okrbot check-config` would say (exit 2 = crash loop) with the operator's secrets in.
  auto expect_valid = [](const std::string& where, EnvMap env) {
    env["OKRBOT_SECRET_KEY"] = kSomeSecretKey;
    auto config = LoadFrom(env);
    ASSERT_TRUE(config.ok()) << where << ": " << config.status().message();
    Status valid = ValidateConfig(*config);
    EXPECT_TRUE(valid.ok()) << where << ": " << valid.message();
    EXPECT_TRUE(config->production) << where << " does not set OKRBOT_ENV=production";
  };
  FlatYaml compose = ReadYaml(kCompose);
  for (const auto& service : ComposeOkrbotServices(compose)) {
    expect_valid(std::string(kCompose) + " " + service, ComposeServiceEnv(compose, service));
  }
  expect_valid("kubernetes configmap + secret.example", KubernetesPodEnv());
  EnvMap systemd = ParseEnvFile(ReadDeployFile(kEnvExample), false);
  systemd["OKRBOT_DB"] = "postgresql://okrbot:pw@localhost:5432/okrbot";
  expect_valid(kEnvExample, systemd);
}

}  // namespace
}  // namespace okrbot::testing
