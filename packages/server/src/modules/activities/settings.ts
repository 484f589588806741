import { defineSettings, setting } from '../../platform/settings.ts';

/** The activities module's settings (resolved at boot from the environment; docs/operations.md). */
export const activitySettings = defineSettings('activities', {
  escalationHours: setting.number('MERIDIAN_TASK_ESCALATION_HOURS', 24, "hours after the end of its due day before an open task is escalated to the owner's manager"),
  expiryNoticeDays: setting.integer('MERIDIAN_DOCUMENT_NOTICE_DAYS', 30, "days before an attachment's expires_on that its owner is told"),
  bookingRateLimit: setting.integer('MERIDIAN_BOOKING_RATE_LIMIT', 10, 'public bookings per IP address and hour (0 = no limit)'),
  uploadMaxBytes: setting.integer('MERIDIAN_UPLOAD_MAX_BYTES', 25 * 1024 * 1024, 'largest accepted file in bytes', { min: 1 }),
  uploadAllowedTypes: setting.optionalText('MERIDIAN_UPLOAD_ALLOWED_TYPES', 'detected content types that may be stored, comma-separated'),
  uploadTmpDir: setting.optionalText('MERIDIAN_UPLOAD_TMP_DIR', 'where uploads wait while they are checked (default <data dir>/tmp)'),
  clamavUrl: setting.optionalText('MERIDIAN_CLAMAV_URL', 'clamd to scan uploads with, tcp://host:3310'),
  s3Endpoint: setting.optionalText('MERIDIAN_FILES_S3_ENDPOINT', 'S3-compatible endpoint for attached files'),
  s3Bucket: setting.optionalText('MERIDIAN_FILES_S3_BUCKET', 'bucket for attached files'),
  s3Region: setting.text('MERIDIAN_FILES_S3_REGION', 'us-east-1', 'region of the bucket'),
  s3AccessKeyId: setting.optionalText('MERIDIAN_FILES_S3_ACCESS_KEY_ID', 'access key of the bucket'),
  s3SecretAccessKey: setting.optionalText('MERIDIAN_FILES_S3_SECRET_ACCESS_KEY', 'secret key of the bucket'),
});
