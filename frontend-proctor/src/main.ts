import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app/app.component';
import { appConfig } from './app/app.config';
import { prefetchPages } from './app/app.routes';
import { startEarly } from './app/core/early-start';

// Before Angular boots, all at once: the session check, the proctor socket (and a live view's
// subscription), the code of the page the address shows. See core/early-start.ts.
startEarly(location);
prefetchPages(location.pathname);
bootstrapApplication(AppComponent, appConfig).catch((err: unknown) => console.error(err));
