// Photo and file uploads (multipart/form-data) and serving attachments only to those who may see the ticket.
#pragma once

#include "server/accounts/auth.hpp"
#include "server/http/form_body.hpp"
#include "server/tickets/ticket_service.hpp"

namespace campusdesk {

// A file of an upload request, checked but not stored yet.
struct received_file {
    std::string data;
    std::string filename;  // safe_file_name
    std::string_view content_type;
};

// What an upload request carried: its plain fields and its files.
struct upload_batch {
    form_fields fields;
    std::vector<received_file> files;
};

// The checks every file passes before it becomes an attachment, whether uploaded or mailed: at most
// max_upload_bytes (413), a photo (JPEG, PNG, HEIC) or PDF by its content (415), a safe name.
outcome<received_file> check_attachment_file(const app& a, std::string data, std::string_view filename);

// Parses the multipart body with hard limits and checks each file by content (JPEG, PNG, HEIC, PDF), size and
// count; stores nothing. Refusals: 400 malformed, 413 too large, 415 wrong type, 422 too many files.
outcome<upload_batch> receive_uploads(const app& a, const http_request& req);

// Stores the files durably as blobs. Call it only once the request is allowed (CSRF token, the ticket's
// visibility): a refused request must leave nothing on disk.
net::awaitable<std::vector<attachment_record>> store_uploads(app& a, const user& who,
                                                             const std::vector<received_file>& files);

// Removes stored files no attachment refers to (a request refused after storing, e.g. the ticket was closed
// meanwhile) once they are older than an hour: now and then every `period` until `timer` is cancelled.
net::awaitable<void> remove_orphan_files_periodically(app& a, net::steady_timer& timer,
                                                      std::chrono::milliseconds period);

// GET /attachments/{id}: the file, for those who may see its ticket (404 for everybody else).
net::awaitable<http_response> serve_attachment(app& a, const auth_state& auth, const std::string& id);

// Whether the request carries a multipart body.
bool is_multipart(const http_request& req);

} // namespace campusdesk
