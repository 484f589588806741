import { useEffect, useMemo, useRef, useState } from 'react';
import { Kbd, Loader, Paper, Portal, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useMetadata } from '../api/metadata';
import { globalSearch } from '../api/search';

/**
 * The header search box: `/` focuses it, results arrive grouped by object, arrow keys move
 * through them and Enter opens one (an ARIA combobox with a grouped listbox).
 */
export function GlobalSearch() {
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [debounced] = useDebouncedValue(q.trim(), 200);
  const { objects } = useMetadata();
  const inputRef = useRef<HTMLInputElement>(null);
  const anchorRef = useRef<HTMLDivElement>(null);
  const [anchor, setAnchor] = useState<{ top: number; left: number; width: number } | null>(null);
  const navigate = useNavigate();

  const results = useQuery({
    queryKey: ['search', debounced],
    queryFn: ({ signal }) => globalSearch(debounced, objects, signal),
    enabled: debounced.length >= 2 && objects.length > 0,
    staleTime: 10_000,
  });

  const flat = useMemo(() => (results.data ?? []).flatMap((g) => g.records.map((r) => ({ ...r, object: g.object }))), [results.data]);

  useEffect(() => setActive(0), [results.data]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      e.preventDefault();
      inputRef.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const go = (i: number) => {
    const r = flat[i];
    if (!r) return;
    setOpen(false);
    setQ('');
    inputRef.current?.blur();
    navigate({ to: '/o/$object/$id', params: { object: r.object, id: r.id }, search: { tab: undefined } });
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, flat.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      go(active);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };

  const showList = open && debounced.length >= 2;

  // The dropdown lives in a portal above the app shell (the sidebar used to cover its left part),
  // so it is placed from the search box's box and follows it on resize and scroll.
  useEffect(() => {
    if (!showList) return;
    const place = () => {
      const r = anchorRef.current?.getBoundingClientRect();
      if (r) setAnchor({ top: r.bottom, left: r.left, width: Math.max(r.width, 320) });
    };
    place();
    window.addEventListener('resize', place);
    window.addEventListener('scroll', place, true);
    return () => {
      window.removeEventListener('resize', place);
      window.removeEventListener('scroll', place, true);
    };
  }, [showList]);
  let index = -1;
  return (
    <div ref={anchorRef} style={{ position: 'relative' }}>
      <TextInput
        ref={inputRef}
        value={q}
        onChange={(e) => {
          setQ(e.currentTarget.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
        placeholder="Search"
        aria-label="Search records"
        role="combobox"
        aria-expanded={showList}
        aria-controls="global-search-results"
        aria-autocomplete="list"
        aria-activedescendant={showList && flat[active] ? `search-opt-${active}` : undefined}
        rightSection={results.isFetching ? <Loader size="xs" /> : <Kbd size="xs" aria-hidden>/</Kbd>}
        type="search"
      />
      {showList && anchor && (
        <Portal>
        <Paper shadow="md" withBorder className="search-results" style={{ position: 'fixed', top: anchor.top, left: anchor.left, width: Math.min(anchor.width, window.innerWidth - anchor.left - 8), zIndex: 1000, maxHeight: 420, overflowY: 'auto' }}>
          <div id="global-search-results" role="listbox" aria-label="Search results">
            {results.data && flat.length === 0 && !results.isFetching && <Text p="sm" size="sm">No matches for “{debounced}”.</Text>}
            {(results.data ?? []).map((g) => (
              <div key={g.object} role="group" aria-labelledby={`search-group-${g.object}`}>
                <Text id={`search-group-${g.object}`} size="xs" fw={700} tt="uppercase" c="dimmed" px="sm" pt="xs">{g.label}</Text>
                {g.records.map((r) => {
                  index += 1;
                  const i = index;
                  return (
                    <div
                      key={r.id}
                      id={`search-opt-${i}`}
                      role="option"
                      aria-selected={i === active}
                      data-active={i === active}
                      onMouseDown={(e) => e.preventDefault()}
                      onClick={() => go(i)}
                      onMouseEnter={() => setActive(i)}
                      style={{ padding: '6px 12px', cursor: 'pointer' }}
                    >
                      <Text size="sm">{r.name}</Text>
                      {r.snippet && <Text size="xs" c="dimmed">{r.snippet}</Text>}
                    </div>
                  );
                })}
              </div>
            ))}
          </div>
        </Paper>
        </Portal>
      )}
    </div>
  );
}
