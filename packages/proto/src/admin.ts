// Tempora's AdminService (tempora.admin.v1): messages and grpc-js definition.
export * from './generated/tempora/admin/v1/admin_service.js';
