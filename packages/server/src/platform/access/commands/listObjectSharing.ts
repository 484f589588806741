import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertAdmin } from '../policy.ts';
import { accessModel } from '../info.ts';

export async function listObjectSharing(platform: Platform, actor: Actor) {
  assertAdmin(actor);
  const model = await accessModel(platform);
  return platform.registry.listObjects().filter((o) => o.apiName !== 'user').map((o) => {
    // A detail object follows its parent (ObjectDefinition.accessFrom): name the parent object.
    const parent = o.accessFrom ? o.fields.find((f) => f.apiName === o.accessFrom)?.lookup?.object : undefined;
    return { object: o.apiName, sharing: model.sharing.get(o.apiName) ?? 'public_read_write', ...(parent ? { controlledBy: parent } : {}) };
  });
}
