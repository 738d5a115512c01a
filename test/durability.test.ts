import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Command } from "@langchain/langgraph";
import { durabilityForTurn } from "../graphs/durability.ts";
import { isExplicitConfirmation } from "../governance/index.ts";
import { normaliseText } from "../nodes/dataPrep.ts";

const turn = (content: unknown) => ({ messages: [{ role: "user", content }] });

describe("adaptive checkpoint durability", () => {
  it("checkpoints every step of a turn that confirms a listed action", () => {
    for (const text of ["yes", "Yes, cancel it.", "ok go ahead", "YES PLEASE", "ｙｅｓ", "y\u200Bes", "sure, do it"]) {
      expect(durabilityForTurn(turn(text), "adaptive"), text).toBe("sync");
    }
  });

  it("checkpoints only at the end of a turn that cannot run a consequential tool", () => {
    for (const text of ["I need to cancel an order", "#W1234567", "my email is a@b.co", "no", "where is my order?", "I no longer need it"]) {
      expect(durabilityForTurn(turn(text), "adaptive"), text).toBe("exit");
    }
  });

  it("is conservative about anything it cannot read as plain text", () => {
    expect(durabilityForTurn(null, "adaptive")).toBe("sync");
    expect(durabilityForTurn(new Command({ resume: { approved: true } }), "adaptive")).toBe("sync");
    expect(durabilityForTurn({ messages: [] }, "adaptive")).toBe("sync");
    expect(durabilityForTurn(turn([{ type: "image_url", image_url: "x" }]), "adaptive")).toBe("sync");
    expect(durabilityForTurn(turn([{ type: "text", text: "y" }, { type: "text", text: "es" }]), "adaptive")).toBe("sync");
    expect(durabilityForTurn({ messages: [{ role: "user", content: "yes" }, { role: "user", content: "thanks" }] }, "adaptive")).toBe("sync");
    expect(durabilityForTurn({ messages: [["user", "yes"]] }, "adaptive")).toBe("sync");
  });

  it("never picks exit for a message the confirmation rail would accept", () => {
    const affirm = fc.constantFrom("yes", "Yes", "YES", "ok", "okay", "sure", "yep", "confirm", "go ahead", "please proceed", "ｙｅｓ");
    const rest = fc.string({ maxLength: 40 });
    fc.assert(
      fc.property(affirm, rest, fc.constantFrom("", " ", "\u200B", "\t"), (a, r, pad) => {
        const text = `${pad}${a}${r}`;
        if (!isExplicitConfirmation(normaliseText(text).text)) return true;
        return durabilityForTurn(turn(text), "adaptive") === "sync";
      }),
      { numRuns: 2000 },
    );
  });

  it("a fixed setting applies to every turn", () => {
    expect(durabilityForTurn(turn("hello"), "sync")).toBe("sync");
    expect(durabilityForTurn(turn("yes"), "exit")).toBe("exit");
    expect(durabilityForTurn(turn("yes"), "async")).toBe("async");
  });
});
