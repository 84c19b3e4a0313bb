import type { Template } from 'aws-cdk-lib/assertions';

/**
 * Every metric line of every dashboard in the template, as CloudWatch reads it: `[namespace, name, dimension,
 * value, …, options]` or `[{ expression }]`. Tokens in the body (bucket names, …) become "TOKEN".
 */
export function dashboardMetrics(template: Template): unknown[][] {
  return Object.values(template.findResources('AWS::CloudWatch::Dashboard')).flatMap((dashboard) => {
    const body: unknown = dashboard.Properties.DashboardBody;
    const text =
      typeof body === 'string'
        ? body
        : ((body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1] ?? [])
            .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
            .join('');
    const { widgets } = JSON.parse(text) as { widgets: Array<{ properties?: { metrics?: unknown[][] } }> };
    return widgets.flatMap((widget) => widget.properties?.metrics ?? []);
  });
}

/** The metric lines of the app's EMF metrics (everything outside the AWS/* namespaces). */
export function emfMetricLines(template: Template): unknown[][] {
  return dashboardMetrics(template).filter((line) => {
    const [first] = line;
    return typeof first === 'string' ? !first.startsWith('AWS/') : JSON.stringify(first).includes('SEARCH(');
  });
}
