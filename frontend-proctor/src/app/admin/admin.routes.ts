import type { Routes } from '@angular/router';
import { AdminApiKeysComponent } from './admin-api-keys.component';
import { AdminAuditComponent } from './admin-audit.component';
import { AdminExamsComponent } from './admin-exams.component';
import { AdminSeatsComponent } from './admin-seats.component';
import { AdminShellComponent } from './admin-shell.component';
import { AdminUsersComponent } from './admin-users.component';

/** `/admin/…` (lazy chunk; the parent route lets admins only match it). */
export const ADMIN_ROUTES: Routes = [
  {
    path: '',
    component: AdminShellComponent,
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'exams' },
      { path: 'exams', component: AdminExamsComponent, title: 'Exams · Admin · Vigil' },
      { path: 'exams/:examId/seats', component: AdminSeatsComponent, title: 'Seats · Admin · Vigil' },
      { path: 'users', component: AdminUsersComponent, title: 'Accounts · Admin · Vigil' },
      { path: 'api-keys', component: AdminApiKeysComponent, title: 'API keys · Admin · Vigil' },
      { path: 'audit', component: AdminAuditComponent, title: 'Audit log · Admin · Vigil' },
    ],
  },
];
