// Writes tests/vectors/bench-workload.json: one user of ~50 attributes and
// 200 audiences of 3–8 leaf conditions each, from a fixed seed, so every
// benchmark (criterion, the native CLI, GrowthBook's JS and our wasm) runs the
// same deterministic workload. Re-run only to change the workload on purpose:
//   node benches/gen-workload.mjs [seed]
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const seed = Number(process.argv[2] ?? 20261123) >>> 0;
// mulberry32: small, seedable, the same on every Node version.
let s = seed;
function rand() {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const some = (a, n) => {
  const c = [...a];
  const out = [];
  while (out.length < n && c.length) out.push(c.splice(Math.floor(rand() * c.length), 1)[0]);
  return out;
};

const plans = ["free", "starter", "pro", "team", "enterprise"];
const countries = ["US", "GB", "DE", "FR", "NL", "IN", "BR", "JP", "CA", "AU"];
const languages = ["en", "en-GB", "de", "fr", "nl", "pt-BR", "ja"];
const browsers = ["Chrome", "Firefox", "Safari", "Edge"];
const oses = ["macOS", "Windows", "Linux", "iOS", "Android"];
const industries = ["saas", "retail", "fintech", "health", "education", "media"];
const tagPool = ["beta", "churn-risk", "champion", "trial", "nps-promoter", "nps-detractor", "webinar", "api-user", "mobile", "invited"];
const rolePool = ["owner", "admin", "editor", "viewer", "billing"];
const featurePool = ["sso", "audit-log", "sandbox", "webhooks", "custom-domain", "scim", "export"];
const skus = ["seat", "addon-ai", "addon-sso", "support-plus", "training"];
const versions = ["1.9.3", "2.0.0", "2.0.0-beta.2", "2.1.0", "2.10.1", "3.0.0-rc.1", "v2.4.7", "2.4.7+build.5"];

const attributes = {
  id: "u_4f9c2b7e",
  anonymousId: "a_91d0c3",
  email: "ada@example-corp.com",
  name: "Ada Lovelace",
  plan: "pro",
  country: "DE",
  language: "de",
  timezone: "Europe/Berlin",
  browser: "Firefox",
  browserVersion: "128.0.1",
  os: "macOS",
  deviceType: "desktop",
  appVersion: "2.4.7",
  sdkVersion: "0.1.0",
  url: "https://app.example-corp.com/settings/billing?tab=invoices",
  path: "/settings/billing",
  referrer: "https://www.google.com/",
  userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0",
  age: 36,
  signupDays: 412,
  lastSeenDays: 2,
  sessions: 187,
  sessionsThisWeek: 9,
  seats: 14,
  mrr: 1190.5,
  nps: 9,
  onboardingStep: 6,
  conversations: 3,
  openConversations: 0,
  isAdmin: true,
  isOwner: false,
  betaOptIn: true,
  emailVerified: true,
  hasMobileApp: false,
  trialEndsInDays: null,
  tags: ["beta", "api-user", "nps-promoter"],
  roles: ["admin", "billing"],
  experiments: ["exp-12", "exp-40"],
  company: {
    id: "c_77a1",
    name: "Example Corp",
    plan: "team",
    size: 240,
    industry: "saas",
    country: "DE",
    createdAt: "2023-04-18",
    features: ["sso", "audit-log", "webhooks"],
    billing: { cycle: "annual", currency: "EUR", overdue: false },
  },
  utm: { source: "newsletter", medium: "email", campaign: "spring-launch" },
  orders: [
    { sku: "seat", qty: 10, amount: 900 },
    { sku: "addon-ai", qty: 1, amount: 190.5 },
    { sku: "support-plus", qty: 1, amount: 100 },
  ],
  page: { title: "Billing", section: "settings", scrollDepth: 0.42 },
};

function leaf() {
  switch (int(0, 15)) {
    case 0: return { plan: { $in: some(plans, int(1, 3)) } };
    case 1: return { country: { $nin: some(countries, int(1, 4)) } };
    case 2: return { "company.plan": { $in: some(plans, int(1, 3)) } };
    case 3: return { seats: { [pick(["$gt", "$gte", "$lt", "$lte"])]: int(1, 40) } };
    case 4: return { signupDays: { $gte: int(0, 300), $lt: int(300, 900) } };
    case 5: return { appVersion: { [pick(["$vgt", "$vgte", "$vlt", "$vlte", "$veq"])]: pick(versions) } };
    case 6: return { browserVersion: { $vgte: `${int(100, 130)}.0.0` } };
    case 7: return { userAgent: { $regex: pick(["Firefox/1[0-9]{2}", "(iPhone|iPad|Android)", "Mac OS X 1[3-5]", "Windows NT 10", "Gecko/\\d+ Firefox"]) } };
    case 8: return { path: { $regex: pick(["^/settings", "^/billing", "/invoices$", "^/(settings|account)/", "^/onboarding/step-[0-9]+$"]) } };
    case 9: return { orders: { $elemMatch: { sku: pick(skus), amount: { $gte: int(50, 500) } } } };
    case 10: return { tags: { $elemMatch: { $eq: pick(tagPool) } } };
    case 11: return { "company.features": { $all: some(featurePool, int(1, 2)) } };
    case 12: return { $or: [{ isAdmin: true }, { roles: { $in: some(rolePool, 2) } }] };
    case 13: return { $not: { "company.industry": { $in: some(industries, 2) } } };
    case 14: return { [pick(["utm.source", "utm.campaign", "page.section", "language"])]: { $in: ["newsletter", "spring-launch", "settings", "de", "en"].filter(() => rand() < 0.6) } };
    default: return { [pick(["emailVerified", "betaOptIn", "hasMobileApp"])]: { $exists: true, $eq: rand() < 0.7 } };
  }
}

const audiences = [];
for (let i = 0; i < 200; i++) {
  const n = int(3, 8);
  const and = [];
  for (let j = 0; j < n; j++) and.push(leaf());
  // Half are written as one object of paths (keys may collide, so only when
  // they don't), half as an explicit $and, as authors write both.
  const merged = Object.assign({}, ...and);
  audiences.push(Object.keys(merged).length === and.length && rand() < 0.5 ? merged : { $and: and });
}

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "tests", "vectors", "bench-workload.json");
writeFileSync(out, JSON.stringify({ version: 1, seed, attributes, audiences }, null, 1) + "\n");
console.log(`wrote ${out}: ${audiences.length} audiences, ${Object.keys(attributes).length} top-level attributes`);
