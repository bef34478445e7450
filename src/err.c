/* err.c -- messages and names for rmd_err (see err.h). */
#include "err.h"

const char *rmd_strerror(rmd_err e) {
    switch (e) {
#define RMD_ERR_MSG(name, num, msg) case name: return msg;
    RMD_ERRORS(RMD_ERR_MSG)
#undef RMD_ERR_MSG
    }
    return "unknown error";
}

const char *rmd_errname(rmd_err e) {
    switch (e) {
#define RMD_ERR_NAME(name, num, msg) case name: return #name;
    RMD_ERRORS(RMD_ERR_NAME)
#undef RMD_ERR_NAME
    }
    return "RMD_E?";
}
