import type { ComponentType } from 'react';
import type { DisplayMap, FieldDef, ObjectDef, RecordData } from '../api/types';

/**
 * Extension points of the generic pages (issue 10 item 7). The record page and the board know no
 * object by name: a feature registers what it adds to an object's pages here, from its own
 * register.ts, and src/extensions.ts lists the features (one line each) — the web's composition
 * root, as the server's is modules/index.ts.
 */
export interface RecordSlotProps {
  object: ObjectDef;
  record: RecordData;
  id: string;
  /** The record's display name. */
  name: string;
  display: DisplayMap;
  /** Tell the page the record changed (it refreshes the record, lists, history and timeline). */
  onSaved: (record: RecordData) => void;
}

export interface RecordExtension {
  /** Buttons in the header, before Edit (Convert, Close deal, Copy link…); each owns its dialogs. */
  Actions?: ComponentType<RecordSlotProps>;
  /** Under the header's key fields: banners, the stage path, roll-ups. */
  Header?: ComponentType<RecordSlotProps>;
  /** Full width between the header and the tabs: summaries such as roll-ups. */
  Summary?: ComponentType<RecordSlotProps>;
  /** Panels in the main column, above the tabs (e.g. a deal's products). */
  Main?: ComponentType<RecordSlotProps>;
  /** Panels in the side column, under the timeline (hierarchy, team). */
  Side?: ComponentType<RecordSlotProps>;
  /** The record cannot be edited in the app (a converted lead): no Edit, no inline edits. */
  readOnly?: (record: RecordData) => boolean;
  /** The record cannot be deleted in its state (a posted invoice): no Delete. */
  undeletable?: (record: RecordData) => boolean;
}

export interface BoardMove {
  record: RecordData;
  from: string;
  to: string;
}

export interface BoardExtension {
  /**
   * A hook answering whether moving a card needs more than a plain save (closing a deal asks for
   * the won amount or lost reason). When it does, the board shows MoveDialog instead of saving.
   * Called on every render of the board (the extensions of an object never change).
   */
  useTakesMove: (field: FieldDef) => (move: BoardMove) => boolean;
  MoveDialog: ComponentType<{ object: ObjectDef; field: FieldDef; move: BoardMove | null; onCancel: () => void; onDone: (saved: RecordData) => void }>;
  /**
   * A hook giving each column's header its count and a line of totals from the server (deal
   * amounts per stage); undefined when it has nothing for this grouping. Without it the board
   * asks the generic count per column. Its query key starts with ['records', object, 'board-summary'].
   */
  useColumnSummaries?: (field: FieldDef) => Map<string, ColumnSummary> | undefined;
}

export interface ColumnSummary {
  count: number;
  /** Shown under the column's name, e.g. "$43,500.00 · weighted $8,700.00". */
  detail?: string;
}

const recordExtensions = new Map<string, RecordExtension[]>();
const boardExtensions = new Map<string, BoardExtension[]>();

export function registerRecordExtension(object: string, extension: RecordExtension): void {
  recordExtensions.set(object, [...(recordExtensions.get(object) ?? []), extension]);
}

export function registerBoardExtension(object: string, extension: BoardExtension): void {
  boardExtensions.set(object, [...(boardExtensions.get(object) ?? []), extension]);
}

export function recordExtensionsFor(object: string): RecordExtension[] {
  // '*': on every object's page (approvals' panel), after the object's own extensions.
  return [...(recordExtensions.get(object) ?? []), ...(object === '*' ? [] : recordExtensions.get('*') ?? [])];
}

export function boardExtensionsFor(object: string): BoardExtension[] {
  return boardExtensions.get(object) ?? [];
}

/** Panels a feature adds to the home page's side column ("My day"), e.g. the pipeline summary. */
const homePanels: Array<ComponentType> = [];

export function registerHomePanel(panel: ComponentType): void {
  homePanels.push(panel);
}

export function homePanelsList(): ComponentType[] {
  return homePanels;
}

/** What a feature adds to an object's list page: buttons in its header (e.g. the production board). */
export interface ListExtension {
  Actions?: ComponentType<{ object: ObjectDef }>;
}

const listExtensions = new Map<string, ListExtension[]>();

export function registerListExtension(object: string, extension: ListExtension): void {
  listExtensions.set(object, [...(listExtensions.get(object) ?? []), extension]);
}

export function listExtensionsFor(object: string): ListExtension[] {
  return listExtensions.get(object) ?? [];
}

/** A module's own page in the navigation's "My work" group, shown to those who can read `object`. */
export interface NavPage {
  path: string;
  label: string;
  object: string;
}

const navPages: NavPage[] = [];

export function registerNavPage(page: NavPage): void {
  navPages.push(page);
}

export function navPagesList(): NavPage[] {
  return navPages;
}
