import { resourcesOfType, type PolicyFinding, type PolicyRule } from "../policy-rule";

/** In production, CloudWatch alarms reach at least one subscriber and every Atlas alert notifies someone. */
export const productionAlarmDestination: PolicyRule = {
  id: "production-alarm-destination",
  rationale: "An alarm nobody receives is no alarm: production must page a person or a system.",
  level: "error",
  check(stack, { production }) {
    if (!production) return [];
    const findings: PolicyFinding[] = [];
    const topics = resourcesOfType(stack, "aws_sns_topic");
    if (topics.length > 0 && resourcesOfType(stack, "aws_sns_topic_subscription").length === 0) {
      findings.push({
        address: topics[0].address,
        message: "has no subscription; set monitoring.alertEmails or monitoring.alarmHttpsEndpoint for production",
      });
    }
    for (const alert of resourcesOfType(stack, "mongodbatlas_alert_configuration")) {
      if (((alert.config.notification ?? []) as unknown[]).length === 0) {
        findings.push({ address: alert.address, message: "notifies nobody" });
      }
    }
    return findings;
  },
};
