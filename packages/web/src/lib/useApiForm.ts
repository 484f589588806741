import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { useMutation } from '@tanstack/react-query';
import { mapFormErrors, type MapErrorsOptions } from './formErrors';

/**
 * After a refused save is on screen (`attempt` counts refusals): the first invalid field, else the
 * form's summary, is scrolled into view and focused — so Save never seems to do nothing.
 */
export function useFocusFirstInvalid(formRef: RefObject<HTMLFormElement | null>, attempt: number) {
  useEffect(() => {
    if (!attempt) return;
    const form = formRef.current;
    const target = form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector<HTMLElement>('[data-form-summary]');
    target?.scrollIntoView({ block: 'center' });
    target?.focus();
  }, [formRef, attempt]);
}

export interface ApiFormOptions<TResult> extends MapErrorsOptions {
  /** Sends the form's values; run as a TanStack Query mutation. */
  submit: () => Promise<TResult>;
  onSuccess?: (result: TResult) => void | Promise<unknown>;
  /** Handles an error itself (answers true), e.g. a taken slot that sends the user back. */
  onError?: (error: unknown) => boolean;
}

/**
 * The one way a form saves: a mutation, server field errors mapped onto the fields that show
 * them (mapFormErrors), the rest in a summary at the top, and, after a refused save, focus on the
 * first invalid field scrolled into view — so Save never "does nothing". Put `formRef` on the
 * <form> and `onSubmit` on its submit; give inputs `error={form.errors.name}` (Mantine marks them
 * aria-invalid, which is how the first one is found).
 */
export function useApiForm<TResult>(options: ApiFormOptions<TResult>) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const latest = useRef(options);
  latest.current = options;

  const mutation = useMutation({
    mutationFn: () => latest.current.submit(),
    onSuccess: (result) => latest.current.onSuccess?.(result),
    onError: (error) => {
      if (latest.current.onError?.(error)) return;
      const mapped = mapFormErrors(error, latest.current);
      setErrors(mapped.fields);
      setSummary(mapped.summary);
      setAttempt((n) => n + 1);
    },
  });

  useFocusFirstInvalid(formRef, attempt);

  return {
    formRef,
    errors,
    summary,
    pending: mutation.isPending,
    mutation,
    /** Forgets a refused attempt (a dialog opened again starts clean). */
    reset: () => {
      setErrors({});
      setSummary(null);
    },
    /** Clears the error of a field once the user changes it. */
    clearError: (name: string) => setErrors((e) => (name in e ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== name)) : e)),
    onSubmit: (event?: FormEvent) => {
      event?.preventDefault();
      setErrors({});
      setSummary(null);
      mutation.mutate();
    },
  };
}
