import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeNagFindings } from './nag-acknowledgements.ts';
import { addRepscopeStacks } from './repscope-app.ts';
import { readSettings } from './settings.ts';

/** `npx cdk synth` / `npx cdk deploy --all`: settings from cdk.json context, cdk-nag's AwsSolutions pack applied. */
const app = new App();
addRepscopeStacks(
  app,
  readSettings((key) => app.node.tryGetContext(key)),
);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
acknowledgeNagFindings(app);
app.synth();
