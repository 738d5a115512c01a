/**
 * Input rails: what a person types, checked before anything else sees it. Each rule is a pattern over
 * the normalised text plus the action and the message the customer gets. Patterns look for the
 * *shape* of an attack (an override verb aimed at the assistant's instructions, a role tag, a bulk
 * request for other people's data) rather than for whole phrases, and the benign look-alikes
 * ("ignore my last message", "the previous instructions I gave for delivery") are excluded by
 * requiring the target to be the assistant's rules, not the customer's own words.
 */
import { applyConfiguredAction, type GovernanceConfig } from "./config.ts";
import { normalizeText, type NormalizedText } from "./normalize.ts";
import { redactPII, SECRET_KINDS } from "./pii.ts";
import { combine, type CallerRole, type RailResult, type Verdict, type VerdictAction } from "./types.ts";

export interface InputRule {
  id: string;
  action: VerdictAction;
  severity: Verdict["severity"];
  reason: string;
  user_message: string;
  /** Roles the rule applies to (default: all). */
  roles?: readonly CallerRole[];
  test: (n: NormalizedText) => boolean;
}

const any = (...res: RegExp[]) => (n: NormalizedText) =>
  res.some((re) => re.test(n.folded) || (n.foldedSpaced !== n.folded && re.test(n.foldedSpaced)));
const anyClean = (...res: RegExp[]) => (n: NormalizedText) => res.some((re) => re.test(n.clean));

const MSG = {
  injection: "I can't change how I work or skip store policy, but I'm happy to help with your orders, returns or products.",
  exfiltration: "I can only share information about your own account, and I can't share internal configuration.",
  selfHarm:
    "I'm really sorry you're feeling this way. You don't have to go through it alone: in the US you can call or text 988 " +
    "(Suicide & Crisis Lifeline) any time, or contact local emergency services. I'm bringing in a member of our team now.",
  harmful: "I can't help with that. If you or someone else is in danger, please contact local emergency services.",
  abuse: "I'd like to help — let's keep things respectful. What can I do for you with your order or account?",
  competitor: "I can't comment on other retailers, but I'm happy to help with our products, prices and orders.",
  authority: "I can't apply discounts or approvals based on a message; a staff member has to do that through their own account.",
};

// Targets of an override: the assistant's instructions, never the customer's own message or request.
const RULE_NOUNS =
  "instructions?|rules|guidelines|guardrails|programming|prompts?|directives?|polic(?:y|ies)|protocols?|restrictions|constraints|training|safeguards|filters|system message";
const OVERRIDE_VERBS = "ignore|disregard|forget|override|bypass|circumvent|skip|abandon|drop|violate|break|(?:do not|don't|stop) follow(?:ing)?";
const DETERMINERS = "all|any|the|your|these|those|its|every|prior|previous|earlier|above|original|preceding|system|safety|old|existing|initial|default|store|internal|of";

const COMPETITORS = ["walmart", "target", "amazon", "costco", "best buy", "home depot", "lowe's", "lowes", "kroger", "ebay", "aldi", "ikea", "wayfair", "kohl's", "macy's", "sam's club", "temu", "shein", "etsy", "cvs", "walgreens"];

export function inputRules(competitors: readonly string[] = COMPETITORS): InputRule[] {
  const comp = competitors.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace("'", "'?")).join("|");
  return [
    // --- prompt injection / jailbreak ---
    {
      id: "input.injection.override",
      action: "block",
      severity: "high",
      reason: "instruction-override phrasing aimed at the assistant's rules",
      user_message: MSG.injection,
      test: any(
        new RegExp(`\\b(?:${OVERRIDE_VERBS})\\s+(?:(?:${DETERMINERS})\\s+){1,4}(?:\\w+\\s+){0,2}?(?:${RULE_NOUNS})\\b(?!\\s+(?:i|we)\\s+(?:gave|sent|wrote|left|added|provided|made|put))`),
        /\b(?:ignore|disregard|forget)\s+(?:everything|all|anything)\s+(?:above|before|previously|prior|you(?:'ve| have| were) (?:been )?told)/,
        new RegExp(`\\b(?:${RULE_NOUNS})\\s+(?:no longer|don't|do not|doesn't|does not)\\s+apply\\b`),
        new RegExp(`\\b(?:new|updated|revised|real)\\s+(?:system\\s+)?instructions?\\b|\\byour\\s+(?:new|real|true)\\s+(?:task|role|purpose|instructions?|rules|job|goal)\\b|\\b(?:${RULE_NOUNS})\\s+(?:supersede|override|replace)s?\\b`),
      ),
    },
    {
      id: "input.injection.persona",
      action: "block",
      severity: "high",
      reason: "role-play or mode switch meant to shed the assistant's rules",
      user_message: MSG.injection,
      test: any(
        /\byou(?:'re| are)\s+(?:now|no longer)\b/,
        /\bfrom (?:now|this point|here) on,? (?:you|the assistant)\b/,
        /\b(?:pretend|imagine) (?:that )?(?:you(?:'re| are)|to be)\b/,
        /\b(?:you|assistant|bot)\s+(?:should|must|will|shall|to|can)?\s*(?:now\s+)?(?:act|behave|respond|answer|roleplay)\s+(?:only\s+)?(?:as|like)\s+(?:a|an|the|my|if)\b/,
        /\b(?:let'?s play a game|play the role|role-?play as|stay in character)\b/,
        /\b(?:dan|developer mode|dev mode|god mode|maintenance mode|debug mode|sudo mode|jailbreak|jailbroken|unfiltered mode)\b/,
        /\b(?:without|no|free of|has no|have no)\s+(?:any\s+)?(?:of\s+the\s+)?(?:(?:store'?s|your)\s+)?(?:restrictions|rules|filters|policies|limits|guidelines|guardrails)\b/,
        /\bunrestricted (?:assistant|ai|mode|bot)\b/,
        /\bfollow my (?:commands|orders|instructions) without\b|\b(?:obey|comply with) (?:me|my commands)\b/,
      ),
    },
    {
      id: "input.injection.auth_bypass",
      action: "block",
      severity: "high",
      reason: "asks the assistant to skip or treat as done the authentication protocol",
      user_message: "I need to verify your identity first — please share your email, or your name and zip code.",
      test: any(
        /\b(?:skip|bypass|disable|turn off|override|waive|ignore|circumvent)\s+(?:the\s+|your\s+|this\s+|any\s+|all\s+)?(?:\w+\s+)?(?:authentication|verification|identity check|id check|auth)\b/,
        /\b(?:authentication|verification|auth)\s+(?:is|has been|was)\s+(?:disabled|turned off|not required|waived|skipped|complete|done)\b/,
        /\bi(?:'ve| have) (?:already )?(?:been )?verified (?:your|my) identity\b|\bi have verified your identity\b/,
      ),
    },
    {
      id: "input.injection.role_tag",
      action: "block",
      severity: "high",
      reason: "fake role or system markup (chat-template tags, role labels, JSON role objects)",
      user_message: MSG.injection,
      test: (n) =>
        /\[\/?inst\]|<<\s*\/?sys\s*>>|<\|\s*(?:im_start|im_end|system|user|assistant|endoftext|begin_of_text|start_header_id|eot_id)\s*\|>|<\/?\s*(?:system|assistant|developer|instructions?|sys)\s*>|"role"\s*:\s*"(?:system|assistant|developer|tool)"/.test(
          n.folded,
        ) || /(?:^|[\n.!?]\s*)(?:system|assistant|developer|admin|administrator)\s*:/i.test(n.clean),
    },
    {
      id: "input.injection.delimiter",
      action: "block",
      severity: "high",
      reason: "delimiter smuggling: fake end-of-input or section markers that introduce new instructions",
      user_message: MSG.injection,
      test: any(
        /(?:#{3,}|={3,}|-{3,}|\*{3,}|\/{3,})\s*(?:end|begin|start|system|instructions?|admin|new)\b/,
        /\b(?:end|begin|start) of (?:the )?(?:customer|user|human|conversation|input|message|prompt|context)\b/,
        /^\s*(?:admin|system|developer|security|root|it|operator)\s+(?:notice|message|override|update|alert|instruction)s?\b/,
      ),
    },
    {
      id: "input.injection.hidden_characters",
      action: "block",
      severity: "high",
      reason: "invisible or Unicode-tag characters used to hide text",
      user_message: MSG.injection,
      test: (n) => n.tagCharCount > 0 || n.invisibleCount >= 3,
    },
    {
      id: "input.injection.authority_claim",
      action: "block",
      severity: "high",
      reason: "a customer claims staff authority to obtain a discount, refund or approval",
      user_message: MSG.authority,
      roles: ["customer"],
      test: any(
        /\b(?:as (?:the|a|an|your) (?:store |shift |district |general )?(?:manager|admin|administrator|supervisor|owner|employee|developer|ceo)|(?:the|my|a|your|store) manager (?:said|says|approved|authori[sz]ed|told|agreed|ok'?d)|i(?:'m| am) (?:the|your) (?:store )?(?:manager|admin|supervisor|owner)|i (?:hereby )?authori[sz]e you)\b.{0,80}\b(?:discount|% off|percent off|refund|free|override|approve|waive|comp|price|cancel|mark)/,
      ),
    },
    // --- data exfiltration ---
    {
      id: "input.exfiltration.bulk_data",
      action: "block",
      severity: "high",
      reason: "bulk request for other customers' records or a data dump",
      user_message: MSG.exfiltration,
      test: any(
        /\b(?:list|show|give|tell|send|export|dump|print|share|display|get|download|pull|provide|fetch)\b[^.?!]{0,40}\b(?:all|every|each|everyone'?s?|everybody'?s?|entire|whole|full|complete)\b[^.?!]{0,30}\b(?:customers?|users?|accounts|members|shoppers|people|buyers|clients|database|db|tables?|records)\b/,
        /\b(?:names|addresses|emails?|phone numbers?|details|info|information|contact)\b[^.?!]{0,30}\b(?:everyone|everybody|all (?:the )?(?:customers|users|buyers|shoppers|people)|other (?:customers|users|people|shoppers))\b/,
        /\b(?:dump|export|download|back ?up|copy|leak|exfiltrate)\b[^.?!]{0,30}\b(?:database|db|tables?|customer (?:list|data|records|info)|user (?:list|data|records)|orders? (?:table|database|data))\b/,
        /\b(?:customers|users|shoppers|members|clients)\b[^.?!]{0,40}\b(?:their|the) (?:emails?|addresses|phone|names|details|info|cards|payment)/,
        /\bselect\s+(?:\*|[\w, ]+)\s+from\s+\w+|\b(?:drop|truncate)\s+table\b|\bunion\s+select\b|'\s*or\s+'?1'?\s*=\s*'?1/,
      ),
    },
    {
      id: "input.exfiltration.other_customer",
      action: "block",
      severity: "high",
      reason: "asks for another person's personal data",
      user_message: MSG.exfiltration,
      test: (n) =>
        /\b(?:email|e-mail|address|phone|number|order history|orders|details|info|information|payment|card)\b[^.?!]{0,30}\b(?:of|for|belonging to)\s+(?:the\s+|that\s+|this\s+|another\s+|other\s+)?(?:customer|person|user|buyer|owner|account holder|someone|somebody|shopper|guy|lady|woman|man)\b(?!\s+(?:service|support|care))/.test(
          n.folded,
        ) || /\b[A-Z][a-z]+'s\s+(?:e-?mail|home address|address|phone(?: number)?|number|order history|credit card|card number|ssn)\b/.test(n.clean),
    },
    {
      id: "input.exfiltration.system_prompt",
      action: "block",
      severity: "medium",
      reason: "asks to reveal the system prompt, configuration, rules or secrets",
      user_message: MSG.exfiltration,
      test: any(
        /\b(?:system|hidden|initial|original|secret|internal|developer|pre-?)\s*(?:prompt|instructions?|rules|guardrails|configuration|config|message)\b/,
        /\b(?:instructions|prompt|rules|guidelines)\s+(?:you were|you've been|you have been|you are)\s+(?:given|told|configured|programmed|running|provided|trained)/,
        /\b(?:reveal|print|show|output|display|leak|tell me|recite|repeat|dump)\b[^.?!]{0,20}\b(?:your|the)\s+(?:\w+\s+)?(?:prompt|instructions|configuration|policy file|guardrails|rule ?pack)\b/,
        /\brepeat\s+(?:the\s+|all\s+|everything\s+)?(?:text|words|everything|messages?|content|lines?)?\s*(?:above|before|so far|verbatim)/,
        /\b(?:api[ _-]?keys?|database passwords?|db passwords?|credentials|secret keys?|access tokens?|connection strings?|env(?:ironment)? variables)\b/,
        /\b(?:manager|admin|override|approval|employee|staff|master)\s+(?:approval\s+|override\s+)?(?:codes?|pins?|passwords?)\b/,
      ),
    },
    // --- harmful content ---
    {
      id: "input.harmful.self_harm",
      action: "escalate",
      severity: "critical",
      reason: "self-harm risk: hand to a human with crisis resources; never give method details",
      user_message: MSG.selfHarm,
      test: any(
        /\b(?:kill|hurt|harm|cut|cutting|starve|hang|end|ending)\s+(?:myself|my own life|my life)\b/,
        /\bsuicid|\bself[- ]?harm|\bend(?:ing)? it (?:all|tonight|today|now|soon)\b|\btake my (?:own )?life\b/,
        /\b(?:don'?t|do not|no longer) want to (?:live|be alive|exist|wake up|be here)\b|\bwant(?:ed)? to die\b|\bwish i (?:was|were) dead\b/,
        /\b(?:nobody|no one|noone) (?:would|will) (?:even )?(?:notice|care|miss me)\b|\bbetter off (?:dead|without me)\b/,
        /\bno (?:reason|point) (?:in |to )?(?:living|live|going on|go on)\b|\b(?:overdose|od) on\b/,
        /\b(?:decided|going|plan(?:ning)?) to (?:end|take) (?:my|it)\b/,
      ),
    },
    {
      id: "input.harmful.violence_weapons",
      action: "block",
      severity: "critical",
      reason: "violence, weapons or dangerous-substance instructions",
      user_message: MSG.harmful,
      test: any(
        /\b(?:kill|murder|stab|shoot|poison|strangle|attack|beat up|hurt)\w*\b[^.?!]{0,30}\b(?:someone|somebody|people|person|him|her|them|my (?:\w+ ){0,2}(?:boss|wife|husband|neighbou?r|family|kid|ex|coworker|partner|teacher|dog|cat)|(?:a|the|my|his|her) (?:neighbou?r'?s? )?(?:dog|cat|pet|kid|child))\b/,
        /\bfor (?:stabbing|killing|shooting|hurting|murdering|poisoning)\b|\b(?:i'?m going to|i will|i'll|gonna|want to) (?:kill|murder|shoot|stab|hurt|poison)\b/,
        /\b(?:make|build|assemble|create|turn|print|3d[- ]?print|manufacture)\b[^.?!]{0,40}\b(?:bomb|explosives?|ied|pipe bomb|molotov|napalm|grenade|(?:untraceable|ghost) guns?|silencer|suppressor|thermite)\b/,
        /\b(?:toxic|poison(?:ous)?|nerve|chlorine|mustard|deadly) gas\b|\b(?:mix|combine)\b[^.?!]{0,40}\bchemicals?\b[^.?!]{0,40}\b(?:toxic|poison|deadly|gas|explode|kill)/,
        /\bserial numbers?\b[^.?!]{0,25}\b(?:gun|pistol|rifle|firearm|weapon)|\b(?:remove|file off|scratch off|erase)\b[^.?!]{0,20}\bserial numbers?\b/,
        /\b(?:make|cook|synthesi[sz]e|produce|brew|manufacture)\b[^.?!]{0,40}\b(?:meth|methamphetamine|crack|cocaine|heroin|fentanyl|lsd|mdma|ricin)\b/,
      ),
    },
    {
      id: "input.harmful.illegal",
      action: "block",
      severity: "high",
      reason: "asks for help with theft, fraud or other illegal activity",
      user_message: MSG.harmful,
      test: any(
        /\bshoplift|\bmoney launder|\blaunder(?:ing)? (?:some |the |my )?(?:cash|money|funds)|\bfake (?:ids?|identification|passports?|receipts?|driver'?s licen[cs]e)\b|\bcounterfeit\b/,
        /\bstolen (?:merchandise|goods|cards?|credit cards?|items|stuff|products)\b|\b(?:someone|somebody) else'?s (?:credit |debit )?card\b/,
        /\b(?:how (?:do|can|could) i|help me|best way to|easiest way to|teach me to)\s+(?:\w+\s+){0,3}(?:steal|rob|hack|scam|defraud|pickpocket)\b/,
        /\bwithout (?:them|him|her|anyone|the alarms?|security|the cameras?|the owner) (?:noticing|knowing|going off|finding out|seeing)\b|\b(?:can'?t|cannot|won'?t) be traced\b|\buntraceable\b/,
      ),
    },
    // --- brand safety ---
    {
      id: "input.brand.abuse",
      action: "block",
      severity: "low",
      reason: "abusive language aimed at the assistant, staff or company, or a request for offensive content",
      user_message: MSG.abuse,
      test: any(
        /\b(?:you|you'?re|you are|ur|your (?:company|store|service|staff|team|employees|people|app)|this (?:bot|company|store|machine|ai|assistant|place|service))\b[^.?!]{0,40}\b(?:idiots?|moron(?:s|ic)?|stupid|dumb(?:est)?|useless|worthless|pathetic|garbage|trash|losers?|imbeciles?|thieves|crooks|scum|clowns|incompetent)\b/,
        /\b(?:idiot|moron|imbecile|loser)\b[^.?!]{0,10}$|\byou (?:moron|idiot|imbecile|loser|stupid)\b/,
        /\bf[u*#@$][c*#@$]?[k*#@$](?:ing|in'?)?\s+(?:you|off|this|u|your)\b|\b(?:shut up|go to hell|screw you|piss off|stfu|gtfo)\b/,
        /\b(?:racist|sexist|dirty|sexual|offensive|homophobic|hateful|explicit|lewd)\s+(?:joke|comment|remark|story|things?|stuff)s?\b|\bsay something (?:racist|sexist|offensive|hateful|mean|nasty)\b/,
      ),
    },
    {
      id: "input.brand.competitor",
      action: "block",
      severity: "low",
      reason: "asks the assistant to disparage a competitor",
      user_message: MSG.competitor,
      test: any(
        new RegExp(`\\b(?:${comp})\\b[^.?!]{0,40}\\b(?:scams?|worse|worst|junk|garbage|trash|frauds?|fraudulent|cheats?|cheating|terrible|sucks?|crap|rip-?offs?|awful|shady|liars?|evil)\\b`),
        new RegExp(`\\b(?:trash(?:ing)?|bash(?:ing)?|mock(?:ing)?|insult(?:ing)?|disparag\\w*|badmouth\\w*|roast(?:ing)?|smear\\w*|one-star review of|negative review of|hit piece)\\b[^.?!]{0,30}\\b(?:${comp})\\b`),
      ),
    },
  ];
}

const DEFAULT_RULES = inputRules();

export interface InputRailOptions {
  role?: CallerRole;
  config?: GovernanceConfig;
  rules?: readonly InputRule[];
}

/**
 * Runs every input rail. Returns the strongest verdict and the text the graph should continue with:
 * full card numbers and SSNs are masked (action `redact`) so they are never stored.
 */
export function runInputRails(text: string, opts: InputRailOptions = {}): RailResult {
  const n = normalizeText(text);
  const role = opts.role ?? "customer";
  const rules = opts.rules ?? (opts.config?.competitors ? inputRules(opts.config.competitors) : DEFAULT_RULES);
  const verdicts: Verdict[] = [];
  for (const r of rules) {
    if (r.roles && !r.roles.includes(role)) continue;
    if (!r.test(n)) continue;
    verdicts.push(
      applyConfiguredAction(
        { action: r.action, rail: "input", rule_id: r.id, reason: r.reason, user_message: r.user_message, severity: r.severity },
        opts.config?.actions,
      ),
    );
  }
  const { text: redacted, found } = redactPII(text, { kinds: SECRET_KINDS });
  if (found.length > 0) {
    verdicts.push(
      applyConfiguredAction(
        {
          action: "redact",
          rail: "input",
          rule_id: `input.pii.${[...new Set(found.map((f) => f.kind))].join("_")}`,
          reason: `masked ${found.map((f) => f.kind).join(", ")} before storage`,
          fixed: redacted,
          severity: "medium",
        },
        opts.config?.actions,
      ),
    );
  }
  return combine(verdicts, redacted);
}
