// The one tagging helper: every resource albctl makes carries these two tags.
export const stackTagKey = 'albctl:stack';
export const managedByTag = { Key: 'managed-by', Value: 'albctl' } as const;

export interface Tag {
  Key: string;
  Value: string;
}

/** The stack's tags, then the user's extra tags (which cannot override the stack's two). */
export function stackTags(stack: string, extra: Record<string, string> = {}): Tag[] {
  const own: Tag[] = [{ Key: stackTagKey, Value: stack }, { ...managedByTag }];
  const reserved = new Set(own.map((t) => t.Key));
  const user = Object.entries(extra)
    .filter(([k]) => !reserved.has(k))
    .map(([Key, Value]) => ({ Key, Value }));
  return [...own, ...user];
}

/** Whether a tag list says the resource belongs to this stack. */
export function ownedBy(tags: readonly { Key?: string; Value?: string }[] | undefined, stack: string): boolean {
  return (tags ?? []).some((t) => t.Key === stackTagKey && t.Value === stack);
}

/** EC2's TagSpecifications for one or more resource types. */
export function tagSpecifications<T extends string>(types: T[], stack: string, extra: Record<string, string> = {}, name?: string) {
  const tags = stackTags(stack, extra);
  if (name) tags.push({ Key: 'Name', Value: name });
  return types.map((ResourceType) => ({ ResourceType, Tags: tags }));
}
