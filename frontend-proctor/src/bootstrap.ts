import { bootstrapApplication } from '@angular/platform-browser';
import { NavigationCancel, NavigationEnd, NavigationError, Router } from '@angular/router';
import { AppComponent } from './app/app.component';
import { appConfig } from './app/app.config';
import { keepEarlyPlayerFor } from './app/core/early-player';

/**
 * Angular's start, loaded by main.ts after the early work (see there). Once the router has
 * settled on a page, an early player that page will not adopt is discarded.
 */
bootstrapApplication(AppComponent, appConfig)
  .then((app) => {
    app.injector.get(Router).events.subscribe((ev) => {
      if (ev instanceof NavigationEnd || ev instanceof NavigationCancel || ev instanceof NavigationError) {
        keepEarlyPlayerFor(location.pathname, location.search);
      }
    });
  })
  .catch((err: unknown) => console.error(err));
