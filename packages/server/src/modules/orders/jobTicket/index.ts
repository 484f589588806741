/** Job tickets (docs/orders.md, "Job tickets"): what the orders module wires in (startup, routes, jobs, index). */
export { renderJobTicket, jobTicketFileName, type JobTicket } from './pdf.ts';
export { jobTicketSubscriber } from './subscriber.ts';
export { queueJobTicket, reprintJobTicket, orderJobTickets } from './ticket.ts';
export { jobTicketJobs, sendDueJobTickets, wakeJobTickets } from './queue.ts';
export { jobTicketMigration, type JobTicketRow } from './store.ts';
export { jobTicketRoute, type JobTicketRoute, type JobTicketChannel } from './route.ts';
export { printerAddress, jobTicketPdfUrl } from './channels.ts';
export { JobTicketSchema } from './schema.ts';
