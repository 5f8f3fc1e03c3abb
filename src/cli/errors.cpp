#include "errors.hpp"

#include "config.hpp"
#include "schema/diagnostic.hpp"
#include "schema/migrate.hpp"
#include "schema/verify.hpp"

namespace schema::cli {

Failure describe_failure(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const InputError& e) {
        return {2, e.what()};  // already `file:line:col: message` with the offending line
    } catch (const ProofError& e) {
        if (e.planner_bug())
            return {3, std::string("schema: internal error: the generated migration failed its proof on the shadow "
                                   "database, so nothing was written.\n") +
                           e.what() + "\nPlease report this with your schema/ files."};
        return {2, e.what()};
    } catch (const migrate::Interrupted& e) {
        return {128 + e.signal(), std::string("schema: ") + e.what()};
    } catch (const migrate::MigrationFailed& e) {
        return {1, std::string("schema: ") + e.what()};
    } catch (const migrate::HistoryError& e) {
        return {1, std::string("schema: ") + e.what()};
    } catch (const ConfigError& e) {
        return {2, std::string("schema: ") + e.what()};
    } catch (const sqlite::Error& e) {
        return {2, std::string("schema: ") + e.what()};
    } catch (const std::logic_error& e) {
        return {3, std::string("schema: internal error: ") + e.what()};
    } catch (const std::exception& e) {
        return {2, std::string("schema: ") + e.what()};
    } catch (...) {
        return {3, "schema: internal error: an unknown exception"};
    }
}

}  // namespace schema::cli
