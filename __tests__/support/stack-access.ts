/*
 * Questions about who may do what to one synthesized stack's keys, secrets and alarm topic,
 * answered by evaluating the policies the stack writes (iam-evaluation.ts), never by comparing
 * them with a copy. Each caller is a role with an identity policy: the tests give the Terraform
 * and break-glass roles AdministratorAccess, so that what they may do is decided by the
 * resource side alone, which is what this stack controls.
 */
import { isAllowed, type Caller, type PolicyDocument, type Request } from "./iam-evaluation";
import type { TerraformJson } from "./stacks";

/** Reads a policy document written as literal JSON; the stack never writes one as an expression. */
function documentOf(policy: unknown, where: string): PolicyDocument {
  if (typeof policy !== "string" || policy.includes("${")) throw new Error(`${where}: the policy is not a literal JSON document`);
  return JSON.parse(policy) as PolicyDocument;
}

/** `${aws_kms_key.<name>.arn}` -> name. */
const referencedName = (expression: unknown, type: string): string | undefined =>
  new RegExp(`^\\$\\{${type}\\.([\\w-]+)\\.\\w+\\}$`).exec(String(expression))?.[1];

export interface StackAccessContext {
  readonly region: string;
  readonly accountId: string;
}

/** KMS administration the issue names (PutKeyPolicy, ScheduleKeyDeletion, DisableKey), and the rest of the dangerous set. */
export const KEY_ADMINISTRATION = ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias"];
/** What refreshing an aws_kms_key reads (aws provider 5.100.0). */
export const KEY_REFRESH = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"];
/** Secret administration the issue names, plus rewriting the value. */
export const SECRET_ADMINISTRATION = ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy", "secretsmanager:PutSecretValue"];

/** The policies of one stack and the questions the tests ask about them. */
export class StackAccess {
  /** Key policy in force per aws_kms_key name: an attached aws_kms_key_policy wins over the inline one. */
  readonly keys: ReadonlyMap<string, PolicyDocument>;
  /** Per aws_secretsmanager_secret name: its Secrets Manager name, key and resource policy. */
  readonly secrets: ReadonlyMap<string, { readonly name: string; readonly key: string; readonly policy: PolicyDocument | undefined }>;
  readonly topic: { readonly name: string; readonly key: string; readonly policy: PolicyDocument | undefined };

  constructor(
    json: TerraformJson,
    readonly where: StackAccessContext,
  ) {
    const resources = json.resource;
    const keys = new Map<string, PolicyDocument>();
    for (const [name, key] of Object.entries(resources.aws_kms_key ?? {})) {
      const attached = Object.entries(resources.aws_kms_key_policy ?? {}).find(([, policy]) => referencedName(policy.key_id, "aws_kms_key") === name);
      keys.set(name, documentOf(attached ? attached[1].policy : key.policy, `aws_kms_key.${name}`));
    }
    this.keys = keys;
    const secrets = new Map<string, { name: string; key: string; policy: PolicyDocument | undefined }>();
    for (const [name, secret] of Object.entries(resources.aws_secretsmanager_secret ?? {})) {
      const policy = Object.entries(resources.aws_secretsmanager_secret_policy ?? {}).find(
        ([, candidate]) => referencedName(candidate.secret_arn, "aws_secretsmanager_secret") === name,
      );
      const key = referencedName(secret.kms_key_id, "aws_kms_key");
      if (!key) throw new Error(`aws_secretsmanager_secret.${name} is not encrypted with a key of the stack`);
      secrets.set(name, { name: String(secret.name), key, policy: policy && documentOf(policy[1].policy, `aws_secretsmanager_secret_policy.${policy[0]}`) });
    }
    this.secrets = secrets;
    const [[topicName, topic]] = Object.entries(resources.aws_sns_topic ?? {});
    const topicKey = referencedName(topic.kms_master_key_id, "aws_kms_key");
    if (!topicKey) throw new Error(`aws_sns_topic.${topicName} is not encrypted with a key of the stack`);
    const topicPolicy = Object.entries(resources.aws_sns_topic_policy ?? {}).find(([, policy]) => referencedName(policy.arn, "aws_sns_topic") === topicName);
    this.topic = { name: String(topic.name), key: topicKey, policy: topicPolicy && documentOf(topicPolicy[1].policy, `aws_sns_topic_policy.${topicPolicy[0]}`) };
  }

  keyArn(key: string): string {
    return `arn:aws:kms:${this.where.region}:${this.where.accountId}:key/${key}`;
  }

  /** A secret's ARN: its name and Secrets Manager's six random characters. */
  secretArn(secret: string): string {
    return `arn:aws:secretsmanager:${this.where.region}:${this.where.accountId}:secret:${this.secretNamed(secret).name}-AbC123`;
  }

  topicArn(): string {
    return `arn:aws:sns:${this.where.region}:${this.where.accountId}:${this.topic.name}`;
  }

  private secretNamed(secret: string) {
    const found = this.secrets.get(secret);
    if (!found) throw new Error(`no aws_secretsmanager_secret.${secret}`);
    return found;
  }

  private keyNamed(key: string): PolicyDocument {
    const found = this.keys.get(key);
    if (!found) throw new Error(`no aws_kms_key.${key}`);
    return found;
  }

  /** One call on a key. */
  onKey(caller: Caller, key: string, action: string, context: Request["context"] = {}): boolean {
    return isAllowed({ caller, action, resource: this.keyArn(key), context }, this.keyNamed(key), "kms-key");
  }

  /** One call on a secret. */
  onSecret(caller: Caller, secret: string, action: string): boolean {
    return isAllowed({ caller, action, resource: this.secretArn(secret) }, this.secretNamed(secret).policy, "other");
  }

  /** Reading a secret's value: GetSecretValue, and Secrets Manager decrypting with the secret's key on the caller's behalf. */
  canReadSecret(caller: Caller, secret: string): boolean {
    const { key } = this.secretNamed(secret);
    const context = { "kms:ViaService": `secretsmanager.${this.where.region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": this.secretArn(secret) };
    return this.onSecret(caller, secret, "secretsmanager:GetSecretValue") && this.onKey(caller, key, "kms:Decrypt", context);
  }

  /** Every listed administration action on a key. */
  canAdministerKey(caller: Caller, key: string): boolean {
    return KEY_ADMINISTRATION.every((action) => this.onKey(caller, key, action));
  }

  /** Not a single listed administration action on a key. */
  cannotAdministerKeyAtAll(caller: Caller, key: string): boolean {
    return KEY_ADMINISTRATION.every((action) => !this.onKey(caller, key, action));
  }

  /** What a refresh of the whole stack's keys and secrets needs (aws_secretsmanager_secret_version reads the value). */
  canRefresh(caller: Caller): boolean {
    return (
      [...this.keys.keys()].every((key) => KEY_REFRESH.every((action) => this.onKey(caller, key, action))) &&
      [...this.secrets.keys()].every((secret) => this.canReadSecret(caller, secret))
    );
  }

  /** Publishing to the encrypted topic: sns:Publish, and SNS generating and reading a data key with the topic's key for the caller. */
  canPublish(caller: Caller, context: Request["context"] = {}): boolean {
    const viaSns = { "kms:ViaService": `sns.${this.where.region}.amazonaws.com`, ...context };
    return (
      isAllowed({ caller, action: "sns:Publish", resource: this.topicArn(), context }, this.topic.policy, "other") &&
      this.onKey(caller, this.topic.key, "kms:GenerateDataKey", viaSns) &&
      this.onKey(caller, this.topic.key, "kms:Decrypt", viaSns)
    );
  }

  /** Changing the topic (its key, policy or subscribers) or deleting it. */
  canChangeTopic(caller: Caller, action = "sns:SetTopicAttributes"): boolean {
    return isAllowed({ caller, action, resource: this.topicArn() }, this.topic.policy, "other");
  }
}
