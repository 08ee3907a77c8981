import { Routes } from '@angular/router';
import { StreamListComponent } from './streams/stream-list.component';

/** `/`: the stream list; `/streams/:streamId`: one live stream (lazy chunk with the player). */
export const routes: Routes = [
  { path: '', component: StreamListComponent, title: 'Streams · Vigil' },
  {
    path: 'streams/:streamId',
    loadComponent: () => import('./live/live-view.component').then((m) => m.LiveViewComponent),
    title: 'Live · Vigil',
  },
  { path: '**', redirectTo: '' },
];
