// The one name builder: every resource name derives from the stack (README "State and tags").
export interface Names {
  targetGroup: string;
  loadBalancer: string;
  albSecurityGroup: string;
  webSecurityGroup: string;
  launchTemplate: string;
  autoScalingGroup: string;
  scalingPolicy: string;
}

export function namesFor(stack: string): Names {
  return {
    targetGroup: `${stack}-tg`,
    loadBalancer: `${stack}-alb`,
    albSecurityGroup: `${stack}-alb-sg`,
    webSecurityGroup: `${stack}-web-sg`,
    launchTemplate: `${stack}-lt`,
    autoScalingGroup: `${stack}-asg`,
    scalingPolicy: `${stack}-target-tracking`,
  };
}

// The IAM certificate's name, `<stack>-cert-<yyyymmddhhmm>`, is src/cert/options.ts defaultCertName.
