import type { HookRegistry } from '../../platform/records/hooks.ts';
import { requireStageOrder } from './rules/stageOrder.ts';
import { refuseDuplicates, refuseDuplicatesOfMany } from './duplicates/check.ts';
import { DUPLICATE_RULES } from './duplicates/rules.ts';
import { refuseAccountCycle } from './rules/accountTree.ts';
import { JUNCTION_KEYS, applyJunctionRules } from './rules/junctions.ts';
import { applyLeadRules } from './rules/lead.ts';
import { applyStageRules, createLostReviewTask, refuseBlacklistedAccount, refuseNegativeProfit, writeStageHistory } from './rules/opportunity.ts';
import { trackBoardTotalsOnDelete, trackBoardTotalsOnSave } from './rules/boardTotals.ts';
import { keepOneDefaultPipeline, refuseManualStageHistory, validatePipelineStage } from './rules/pipelineConfig.ts';

const SAVE = ['create', 'update'] as const;

/**
 * The sales module's business rules on the record pipeline: they hold for REST, bulk, CLI,
 * imports and automation alike. Order matters within an object: system values first, then the
 * rules that derive values, then the checks.
 */
export function registerSalesHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'sales.accountCycle', object: 'account', operations: [...SAVE], run: refuseAccountCycle });
  hooks.register('beforeSave', { name: 'sales.leadRules', object: 'lead', operations: [...SAVE], run: applyLeadRules });

  hooks.register('beforeSave', { name: 'sales.stageRules', object: 'opportunity', operations: [...SAVE], run: applyStageRules });
  hooks.register('beforeSave', { name: 'sales.stageOrder', object: 'opportunity', operations: [...SAVE], run: requireStageOrder });
  hooks.register('beforeSave', { name: 'sales.blacklistedAccount', object: 'opportunity', operations: [...SAVE], run: refuseBlacklistedAccount });
  for (const object of ['opportunity', 'project']) {
    hooks.register('beforeSave', { name: 'sales.negativeProfit', object, operations: [...SAVE], run: refuseNegativeProfit });
  }
  hooks.register('afterSave', { name: 'sales.stageHistory', object: 'opportunity', operations: [...SAVE], run: writeStageHistory });
  hooks.register('afterSave', { name: 'sales.lostReview', object: 'opportunity', operations: [...SAVE], run: createLostReviewTask });
  hooks.register('afterSave', { name: 'sales.boardTotals', object: 'opportunity', operations: ['create', 'update', 'restore'], run: trackBoardTotalsOnSave });
  hooks.register('beforeDelete', { name: 'sales.boardTotals', object: 'opportunity', run: trackBoardTotalsOnDelete });

  hooks.register('beforeSave', { name: 'sales.pipelineStage', object: 'pipeline_stage', operations: [...SAVE], run: validatePipelineStage });
  hooks.register('afterSave', { name: 'sales.oneDefaultPipeline', object: 'pipeline', operations: [...SAVE], run: keepOneDefaultPipeline });
  hooks.register('beforeSave', { name: 'sales.stageHistoryReadOnly', object: 'opportunity_stage_history', operations: [...SAVE], run: refuseManualStageHistory });

  for (const object of Object.keys(JUNCTION_KEYS)) {
    hooks.register('beforeSave', { name: 'sales.junction', object, operations: [...SAVE], run: applyJunctionRules });
  }
  // Last: duplicates are judged on the values as they will be saved.
  for (const object of Object.keys(DUPLICATE_RULES)) {
    hooks.register('beforeSave', { name: 'sales.duplicates', object, operations: [...SAVE], run: refuseDuplicates, runMany: refuseDuplicatesOfMany });
  }
}
