import { useRef, useState } from 'react';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { mapFormErrors } from '../../lib/formErrors';
import { timelineKey } from '../../api/activities';
import type { RecordData } from '../../api/types';

/** Where a quick action files its activity, and what to do once it has. */
export interface QuickActionProps {
  object: string;
  id: string;
  recordName: string;
  opened: boolean;
  onClose: () => void;
}

/**
 * The save cycle every quick action shares: one idempotency key per form (a double click or a
 * retry writes once), a TanStack mutation, server field errors placed at their field by the
 * shared mapping (lib/formErrors.ts; `values.subject` → `subject`), the rest above the form; on
 * success the timeline refreshes and a toast confirms.
 */
export function useQuickSubmit({ object, id, onClose }: Pick<QuickActionProps, 'object' | 'id' | 'onClose'>) {
  const qc = useQueryClient();
  const key = useRef(crypto.randomUUID());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const mutation = useMutation({ mutationFn: (run: (idempotencyKey: string) => Promise<RecordData>) => run(key.current) });

  const reset = () => {
    setErrors({});
    setFormError(null);
    key.current = crypto.randomUUID();
  };

  const submit = async (fields: string[], run: (idempotencyKey: string) => Promise<RecordData>, success: string) => {
    setErrors({});
    setFormError(null);
    try {
      await mutation.mutateAsync(run);
    } catch (error) {
      const mapped = mapFormErrors(error, { fields, fieldOf: (path) => path.replace(/^values\./, '').split(/[.[]/)[0] ?? '' });
      setErrors(mapped.fields);
      setFormError(mapped.summary);
      return false;
    }
    void qc.invalidateQueries({ queryKey: timelineKey(object, id) });
    notifications.show({ color: 'green', message: success });
    reset();
    onClose();
    return true;
  };

  return { busy: mutation.isPending, errors, formError, submit, reset };
}
