import {
  CfnOutput,
  aws_cloudfront as cloudfront,
  Duration,
  aws_cloudfront_origins as origins,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { lakeKeys, sitePath } from '../functions/core/lake/layout.ts';
import type { RepscopeSettings } from './settings.ts';
import { bucketName } from './stateful-stack.ts';
import { viewerRequestCode } from './viewer-access.ts';

export interface SiteStackProps extends StackProps {
  readonly settings: RepscopeSettings;
}

/**
 * The pages have no inline script and load nothing from elsewhere; SVG charts are inlined with
 * their style attributes removed (web/chart-svg.ts), so styles come only from the site's CSS file.
 */
export const SITE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The report site: CloudFront in front of the site bucket's `site/` prefix through origin access
 * control (the bucket stays private; pages keep their lake keys there), HTTPS only, security
 * headers, and a viewer allow-list that denies everyone until CIDRs are configured. Deployed
 * before the stateful stack, which names this distribution in its bucket and key policies.
 */
export class SiteStack extends Stack {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: SiteStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const siteBucket = s3.Bucket.fromBucketAttributes(this, 'SiteBucket', {
      bucketName: bucketName(settings, 'site'),
      region: this.region,
    });

    // CloudFront's standard logs need a bucket with ACLs; kept here so this stack depends on nothing.
    const logs = new s3.Bucket(this, 'ViewerLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const viewerAccess = new cloudfront.Function(this, 'ViewerAccess', {
      comment: 'repscope: IPv4 allow-list; folder URLs to index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(viewerRequestCode(settings.allowedCidrs)),
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'repscope: CSP without inline script, HSTS, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: false,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: 'interest-cohort=()', override: true }],
      },
    });

    // Reports change when a run publishes: pages are cached for a minute at most.
    const cachePolicy = new cloudfront.CachePolicy(this, 'Pages', {
      comment: 'repscope: pages change on every publish',
      defaultTtl: Duration.seconds(60),
      maxTtl: Duration.minutes(5),
      minTtl: Duration.seconds(0),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const oac = new cloudfront.S3OriginAccessControl(this, 'OriginAccess', {
      description: 'repscope: CloudFront reads site/ of the site bucket',
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    // The bucket policy granting this access is the stateful stack's (it names this distribution).
    const origin = origins.S3BucketOrigin.withBucketDefaults(siteBucket, {
      originPath: `/${lakeKeys.site.replace(/\/$/, '')}`,
      originAccessControlId: oac.originAccessControlId,
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'repscope report site (private)',
      defaultRootObject: sitePath.index,
      // IPv4 only, so the allow-list sees every viewer's address in the form it matches.
      enableIpv6: false,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      ...(settings.webAclArn ? { webAclId: settings.webAclArn } : {}),
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy,
        responseHeadersPolicy: headers,
        functionAssociations: [
          { function: viewerAccess, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
    });

    new CfnOutput(this, 'SiteUrl', {
      description: 'The report site (viewers from the allowed CIDRs only)',
      value: `https://${this.distribution.distributionDomainName}/`,
    });
  }
}
