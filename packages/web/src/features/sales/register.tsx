import { registerBoardExtension, registerHomePanel, registerRecordExtension } from '../../lib/extensions';
import { PipelineSummary } from './PipelineSummary';
import { AccountRollup, AccountTree, TeamPanel } from './AccountPanels';
import { CloseDealAction, CloseOnBoardDialog, ConvertedLeadBanner, ConvertLeadAction, isConvertedLead, useTakesStageMove } from './recordActions';
import { StagePath } from './StagePath';
import { useOpportunityColumnSummaries } from './boardSummary';

/** What sales adds to the generic record page and board (lib/extensions.ts). */
export function registerSales(): void {
  registerRecordExtension('lead', { Actions: ConvertLeadAction, Header: ConvertedLeadBanner, readOnly: isConvertedLead });
  registerRecordExtension('opportunity', { Actions: CloseDealAction, Header: StagePath });
  registerRecordExtension('account', {
    Summary: ({ id }) => <AccountRollup id={id} />,
    Side: ({ id }) => (
      <>
        <AccountTree id={id} />
        <TeamPanel object="account" id={id} />
      </>
    ),
  });
  registerBoardExtension('opportunity', { useTakesMove: useTakesStageMove, MoveDialog: CloseOnBoardDialog, useColumnSummaries: useOpportunityColumnSummaries });
  registerHomePanel(PipelineSummary);
}
