import { describe, expect, it } from "vitest";
import { cappedBudget, cronBudget } from "../../src/stats/budget";

describe("STATS_CALL_BUDGET", () => {
  it("sets the cron's budget, up or down, and only caps live requests and task batches", () => {
    expect(cronBudget({}, 800)).toBe(800);
    expect(cronBudget({ STATS_CALL_BUDGET: "40" }, 800)).toBe(40);
    expect(cronBudget({ STATS_CALL_BUDGET: "5000" }, 800)).toBe(5000);
    expect(cappedBudget({ STATS_CALL_BUDGET: "40" }, 200)).toBe(40);
    expect(cappedBudget({ STATS_CALL_BUDGET: "5000" }, 200)).toBe(200);
  });

  it("ignores a value that is not a positive integer", () => {
    for (const v of ["", " ", "0", "-3", "2.5", "many"]) {
      expect(cronBudget({ STATS_CALL_BUDGET: v }, 800), v).toBe(800);
      expect(cappedBudget({ STATS_CALL_BUDGET: v }, 200), v).toBe(200);
    }
  });
});
