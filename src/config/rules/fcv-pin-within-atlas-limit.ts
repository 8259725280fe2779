import { z } from "zod";
import type { ConfigIssue } from "../config-issue";
import { atlasSection } from "../environment-schema";
import { defineRule } from "./config-rule";

/** Atlas: "FCV pinning can't be extended beyond 4 weeks from the pin date" (major-version-downgrade). */
export const FCV_PIN_LIMIT_DAYS = 28;
const DAY_MS = 24 * 60 * 60 * 1000;
const REMOVE_BOTH = "remove atlas.pinFcvUntil and atlas.pinFcvSince (docs/runbook-upgrade.md, FCV pin)";

/**
 * The feature-compatibility pin as Atlas allows it: it ends at most 4 weeks after it was first
 * applied (`pinFcvSince`), and a pin whose date has passed is removed from config, because
 * provider 1.41.1 pins again whenever `pinned_fcv` is configured and Atlas reports no active pin.
 *
 * `now` is injected so that tests fix the date; the registered rule reads the clock.
 */
export function fcvPinWithinAtlasLimitAt(now: () => Date) {
  return defineRule({
    id: "fcv-pin-within-atlas-limit",
    reads: z.looseObject({ atlas: atlasSection.pick({ pinFcvSince: true, pinFcvUntil: true }).loose() }),
    check({ atlas }) {
      const { pinFcvSince: since, pinFcvUntil: until } = atlas;
      if (since === undefined && until === undefined) return [];
      if (since === undefined) {
        return [
          {
            path: ["atlas", "pinFcvSince"],
            value: undefined,
            message: `required while atlas.pinFcvUntil is set; allowed: the UTC date-time the pin was first applied (Atlas counts its ${FCV_PIN_LIMIT_DAYS}-day limit from it)`,
          },
        ];
      }
      if (until === undefined) {
        return [{ path: ["atlas", "pinFcvSince"], value: since, message: "set without atlas.pinFcvUntil; remove it" }];
      }
      const today = now();
      const issues: ConfigIssue[] = [];
      if (Date.parse(since) > today.getTime()) {
        issues.push({
          path: ["atlas", "pinFcvSince"],
          value: since,
          message: `is in the future (now: ${today.toISOString()}); allowed: the date-time the pin is first applied, today or earlier`,
        });
      }
      const latest = new Date(Date.parse(since) + FCV_PIN_LIMIT_DAYS * DAY_MS);
      if (Date.parse(until) <= today.getTime()) {
        issues.push({
          path: ["atlas", "pinFcvUntil"],
          value: until,
          message: `has passed (now: ${today.toISOString()}): Atlas has ended the pin, and the next apply would pin again; ${REMOVE_BOTH}`,
        });
      } else if (Date.parse(until) > latest.getTime()) {
        issues.push({
          path: ["atlas", "pinFcvUntil"],
          value: until,
          message: `more than 4 weeks after atlas.pinFcvSince (${since}); Atlas cannot extend a pin beyond 4 weeks from its pin date; allowed: at most ${latest.toISOString()}; to end the pin, ${REMOVE_BOTH}`,
        });
      }
      return issues;
    },
  });
}

/** The registered rule: "now" is the time of the synth. */
export const fcvPinWithinAtlasLimit = fcvPinWithinAtlasLimitAt(() => new Date());
