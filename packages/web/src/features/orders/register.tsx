import { registerBoardExtension, registerListExtension, registerNavPage, registerRecordExtension } from '../../lib/extensions';
import { ButtonLink } from '../../components/links';
import { LineItemsPanel } from '../line-items/LineItemsPanel';
import { ORDER_LINES } from '../line-items/lines';
import { OrderActions, OrderBanner } from './OrderActions';
import { OrderMoveDialog, useTakesStatusMove } from './OrderMoveDialog';
import { JobTicketActions } from './JobTicketActions';

const BOARD_PATH = '/orders/board';

/** Orders in the web app (issue 12): the order's page (commands, holds, lines), its moves on any board, the production board. */
export function registerOrders(): void {
  registerRecordExtension('order', { Actions: OrderActions, Header: OrderBanner, Main: (slot) => <LineItemsPanel kind={ORDER_LINES} {...slot} /> });
  registerRecordExtension('order', { Actions: JobTicketActions });
  registerBoardExtension('order', { useTakesMove: useTakesStatusMove, MoveDialog: OrderMoveDialog });
  registerListExtension('order', { Actions: () => <ButtonLink variant="default" to={BOARD_PATH}>Production board</ButtonLink> });
  registerNavPage({ path: BOARD_PATH, label: 'Production board', object: 'order' });
}
