import { expect, test } from "vitest";
import { dropSupersededValues } from "../server/runExecutor.ts";

const ev = (seq: number, event: string, data = `{"n":${seq}}`) => ({ seq, event, data });

test("keeps every event but the state snapshots a later snapshot supersedes, in order", () => {
  const events = [ev(1, "metadata"), ev(2, "values"), ev(3, "messages"), ev(4, "values"), ev(5, "updates"), ev(6, "values"), ev(7, "custom")];
  expect(dropSupersededValues(events).map((e) => e.seq)).toEqual([1, 3, 5, 6, 7]);
});

test("a batch without snapshots, or with one, is unchanged", () => {
  const none = [ev(1, "metadata"), ev(2, "messages")];
  expect(dropSupersededValues(none)).toEqual(none);
  const one = [ev(3, "values"), ev(4, "error")];
  expect(dropSupersededValues(one)).toEqual(one);
  expect(dropSupersededValues([])).toEqual([]);
});
