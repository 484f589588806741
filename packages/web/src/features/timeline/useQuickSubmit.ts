import { useRef, useState } from 'react';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
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
 * retry writes once), server field errors placed at their field (`values.subject` → `subject`),
 * the rest above the form; on success the timeline refreshes and a toast confirms.
 */
export function useQuickSubmit({ object, id, onClose }: Pick<QuickActionProps, 'object' | 'id' | 'onClose'>) {
  const qc = useQueryClient();
  const key = useRef(crypto.randomUUID());
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const reset = () => {
    setErrors({});
    setFormError(null);
    key.current = crypto.randomUUID();
  };

  const submit = async (fields: string[], run: (idempotencyKey: string) => Promise<RecordData>, success: string) => {
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      await run(key.current);
      void qc.invalidateQueries({ queryKey: timelineKey(object, id) });
      notifications.show({ color: 'green', message: success });
      reset();
      onClose();
      return true;
    } catch (error) {
      const atFields: Record<string, string> = {};
      const rest: string[] = [];
      for (const e of error instanceof ApiError ? error.fieldErrors() : []) {
        const name = e.field.replace(/^values\./, '');
        if (fields.includes(name)) atFields[name] = e.message;
        else rest.push(e.field ? `${name}: ${e.message}` : e.message);
      }
      setErrors(atFields);
      if (rest.length) setFormError(rest.join(' '));
      else if (!Object.keys(atFields).length) setFormError(errorMessage(error));
      return false;
    } finally {
      setBusy(false);
    }
  };

  return { busy, errors, formError, submit, reset };
}
