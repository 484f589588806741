import { defineModule } from '../../platform/module.ts';
import { registerDemoRoutes } from './routes.ts';

/** The demo organisation: `meridian seed demo` and the first-run offer (POST /api/v1/admin/seed-demo). */
export const demoModule = defineModule({ name: 'demo', routes: registerDemoRoutes });
