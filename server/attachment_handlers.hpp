// Photo and file uploads (multipart/form-data) and serving attachments only to those who may see the ticket.
#pragma once

#include "server/auth.hpp"
#include "server/form_body.hpp"
#include "server/ticket_service.hpp"

namespace campusdesk {

// What an upload request carried: its plain fields and its files, checked and already stored as blobs.
struct upload_batch {
    form_fields fields;
    std::vector<attachment_record> files;
};

// Parses the multipart body with hard limits, checks each file by content (JPEG, PNG, HEIC, PDF), size and
// count, and stores the accepted files durably. Refusals: 400 malformed, 413 too large, 415 wrong type, 422 too
// many files.
net::awaitable<outcome<upload_batch>> receive_uploads(app& a, const http_request& req, const user& who);

// GET /attachments/{id}: the file, for those who may see its ticket (404 for everybody else).
net::awaitable<http_response> serve_attachment(app& a, const auth_state& auth, const std::string& id);

// Whether the request carries a multipart body.
bool is_multipart(const http_request& req);

} // namespace campusdesk
